package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client of {@code GET /events}: events of every job (or of one, with {@code job}) as they happen. They are pushed
 * to it, so it keeps at most {@link #MAX_WAITING} that its client has not taken; past that it is told it fell behind
 * and the stream ends (events are not kept: it reads the jobs' state and listens again).
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

    /** Called on the feed's thread: only queues the event. */
    void offer(JobEvent event) {
        if (ended || (jobId != null && !jobId.equals(event.job()))) {
            return;
        }
        boolean behind;
        synchronized (waiting) {
            behind = waiting.size() >= MAX_WAITING;
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
