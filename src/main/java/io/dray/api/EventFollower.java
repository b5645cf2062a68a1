package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEvent;
import io.dray.core.JobFeed;
import io.dray.core.StoreUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One client of {@code GET /events}: events of every job (or of one, with {@code job}) as they happen. They are pushed
 * to it, so it keeps at most {@link #MAX_WAITING} that its client has not taken; past that it is told it fell behind
 * and the stream ends (it reads the jobs' state and listens again).
 *
 * <p>A client that resumes after an event (SSE's {@code Last-Event-ID}) first gets the kept events after that one: the
 * follower listens from its start, reads the history, and sends nothing until the history is merged in front of what
 * it heard meanwhile (each event once, by id). When the history no longer holds every event after that one, the client
 * is told to read the jobs' state again ({@code reset}) and gets what happens from now.
 */
final class EventFollower implements AsyncStream.Producer, LiveStreams.Follower {
    static final int MAX_WAITING = 10_000;
    private static final int MAX_PER_WRITE = 500;

    private final String jobId;
    private final StreamFormat format;
    private final AsyncStream stream;
    private final ObjectMapper json;
    private final Executor writes;
    private final Runnable onEnd;
    private final Deque<JobEvent> waiting = new ArrayDeque<>();
    private final AtomicInteger wakeUps = new AtomicInteger();
    private volatile boolean ended;
    /** Until the history is merged in: nothing is sent. */
    private volatile boolean caughtUp;
    /** The client must read the jobs' state again: sent before any event. */
    private volatile boolean resetDue;
    /** How many events may wait: {@link #MAX_WAITING}, and what the history put in front of them. */
    private int maxWaiting = MAX_WAITING;
    /** The newest event this follower was offered (or read from the history), whatever its job: where to catch up. */
    private volatile String lastOffered;
    /**
     * The client has (or is sent from the history) every event up to this one: one heard later (this instance's
     * subscription may lag behind another's, or behind the history) is not sent again. Null for none.
     */
    private String floor;
    private Function<String, JobFeed.History> history;

    /** @param jobId the only job whose events are sent, null for every job */
    EventFollower(String jobId, StreamFormat format, AsyncStream stream, ObjectMapper json, Executor writes,
            Runnable onEnd) {
        this.jobId = jobId;
        this.format = format;
        this.stream = stream;
        this.json = json;
        this.writes = writes;
        this.onEnd = onEnd;
    }

    /**
     * Begins sending: at once for a new client; for one that resumes after event {@code afterId}, once the events it
     * missed (read from {@code history} on the writes' executor) are in front of the queue. Call it once the follower
     * is offered events.
     */
    void begin(String afterId, Function<String, JobFeed.History> history) {
        this.history = history;
        if (afterId == null) {
            caughtUp = true;
            wake();
            return;
        }
        synchronized (waiting) {
            floor = afterId;
            waiting.removeIf(e -> e.id() != null && JobEvent.compareIds(e.id(), afterId) <= 0);
        }
        catchUpAfter(afterId);
    }

    /**
     * The feed listens again after its subscription broke: what was published meanwhile is read from the history,
     * after the last event this follower was offered (if it was offered none, there is nothing to go by).
     */
    void resubscribed() {
        String after = lastOffered;
        if (after != null && caughtUp && !ended) {
            caughtUp = false;
            catchUpAfter(after);
        }
    }

    private void catchUpAfter(String afterId) {
        try {
            writes.execute(() -> catchUp(afterId));
        } catch (RejectedExecutionException e) {
            stream.close();
        }
    }

    private void catchUp(String afterId) {
        JobFeed.History missed;
        try {
            missed = history.apply(afterId);
        } catch (StoreUnavailableException e) {
            ended = true;
            stream.finish(format.error(503, "job store unavailable: " + e.getMessage(), json));
            return;
        }
        synchronized (waiting) {
            if (!missed.complete()) {
                resetDue = true;
            } else if (!missed.events().isEmpty()) {
                merge(afterId, missed.events());
            }
        }
        caughtUp = true;
        wake();
    }

    /**
     * Puts the events missed after {@code afterId} in their place: after those heard up to it (not sent yet, when the
     * feed listens again), before those heard since; an event heard and in the history too goes once.
     */
    private void merge(String afterId, List<JobEvent> missed) {
        String last = missed.get(missed.size() - 1).id();
        List<JobEvent> before = new ArrayList<>();
        List<JobEvent> since = new ArrayList<>();
        for (JobEvent event : waiting) {
            if (event.id() == null || JobEvent.compareIds(event.id(), last) > 0) {
                since.add(event);
            } else if (JobEvent.compareIds(event.id(), afterId) <= 0) {
                before.add(event);
            }
        }
        List<JobEvent> kept = missed.stream().filter(this::wanted).toList();
        waiting.clear();
        waiting.addAll(before);
        waiting.addAll(kept);
        waiting.addAll(since);
        maxWaiting = MAX_WAITING + kept.size();
        heard(last);
        if (floor == null || JobEvent.compareIds(last, floor) > 0) {
            floor = last;
        }
    }

    private boolean wanted(JobEvent event) {
        return jobId == null || jobId.equals(event.job());
    }

    /** Called on the feed's thread: only queues the event. */
    void offer(JobEvent event) {
        if (ended) {
            return;
        }
        boolean behind;
        synchronized (waiting) {
            heard(event.id());
            if (!wanted(event) || (floor != null && event.id() != null && JobEvent.compareIds(event.id(), floor) <= 0)) {
                return;
            }
            behind = waiting.size() >= maxWaiting;
            if (!behind) {
                waiting.add(event);
            }
        }
        if (behind) {
            ended = true;
            stream.finish(format.error(503, "this client fell more than " + MAX_WAITING
                    + " events behind; events were dropped: read the jobs' state and listen again", json));
        } else {
            wake();
        }
    }

    /** Keeps the newest id heard, under the lock: every event sent is at most that one. */
    private void heard(String id) {
        if (id != null && (lastOffered == null || JobEvent.compareIds(id, lastOffered) > 0)) {
            lastOffered = id;
        }
    }

    @Override
    public void wake() {
        if (wakeUps.getAndIncrement() == 0) {
            try {
                writes.execute(this::writeWhileWoken);
            } catch (RejectedExecutionException e) {
                stream.close();
            }
        }
    }

    @Override
    public void drained() {
        wake();
    }

    @Override
    public void closed() {
        ended = true;
        onEnd.run();
    }

    @Override
    public void keepAlive(long quietNanos) {
        if (System.nanoTime() - stream.lastSent() > quietNanos && stream.drained()) {
            stream.send(format.keepAlive());
        }
    }

    @Override
    public void close() {
        stream.close();
    }

    private void writeWhileWoken() {
        do {
            if (!caughtUp || ended) {
                continue;
            }
            if (resetDue && stream.drained()) {
                resetDue = false;
                stream.send(format.reset("events after the one this client last saw are no longer kept: read the"
                        + " jobs' state again", json));
            }
            if (stream.drained()) {
                List<JobEvent> batch = new ArrayList<>();
                synchronized (waiting) {
                    while (!waiting.isEmpty() && batch.size() < MAX_PER_WRITE) {
                        batch.add(waiting.poll());
                    }
                }
                if (!batch.isEmpty()) {
                    stream.send(format.events(batch, json));
                }
            }
        } while (wakeUps.decrementAndGet() > 0);
    }
}
