package io.dray.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests waiting for a job to end. One that ends here wakes its waiters at once; one that runs elsewhere (or is still
 * queued) is checked for every {@link #CHECK_INTERVAL}, with one read for all of them. Runs on its own thread.
 */
final class CompletionWaiters {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionWaiters.class);
    /** How soon a waiting request learns that a job it does not run here ended. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

    private final JobStore jobs;
    private final Function<String, JobState> state;
    private final Predicate<String> runsHere;
    private final ScheduledExecutorService executor;
    /** Requests waiting for a job to end, by job id: woken when it ends here, else by {@link #check()}. */
    private final Map<String, Set<CompletableFuture<JobState>>> waiters = new ConcurrentHashMap<>();

    /**
     * @param state the job's state now, as the API answers it
     * @param runsHere whether a job runs on this instance (its end wakes its waiters at once)
     */
    CompletionWaiters(JobStore jobs, Function<String, JobState> state, Predicate<String> runsHere,
            ScheduledExecutorService executor) {
        this.jobs = jobs;
        this.state = state;
        this.runsHere = runsHere;
        this.executor = executor;
    }

    void start() {
        long interval = CHECK_INTERVAL.toMillis();
        executor.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The job's state once final, or its state after {@code wait}, whichever comes first. */
    CompletableFuture<JobState> await(String id, JobState now, Duration wait) {
        if (now.status().isFinal()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<JobState> ended = new CompletableFuture<>();
        // compute, not computeIfAbsent and add: atomic with answer's remove, so no waiter is left out of both.
        waiters.compute(id, (key, waiting) -> {
            Set<CompletableFuture<JobState>> set = waiting != null ? waiting : ConcurrentHashMap.newKeySet();
            set.add(ended);
            return set;
        });
        var timeUp = executor.schedule(() -> answer(ended, id), wait.toMillis(), TimeUnit.MILLISECONDS);
        ended.whenComplete((result, error) -> {
            timeUp.cancel(false);
            waiters.computeIfPresent(id, (key, waiting) -> {
                waiting.remove(ended);
                return waiting.isEmpty() ? null : waiting;
            });
        });
        return ended;
    }

    /** A job may just have ended here, or left this instance: its waiters are answered if it ended. */
    void jobLeft(String id) {
        if (waiters.containsKey(id)) {
            try {
                executor.execute(() -> answerIfEnded(List.of(id)));
            } catch (RejectedExecutionException e) {
                answerAll(id);
            }
        }
    }

    /** Whoever still waits gets the job's state as it is now (on shutdown, rather than a closed connection). */
    void answerAll() {
        waiters.keySet().forEach(this::answerAll);
    }

    /** Wakes the requests waiting for jobs that this instance does not run, once those jobs have ended. */
    void check() {
        try {
            List<String> notRunHere = waiters.keySet().stream().filter(runsHere.negate()).toList();
            if (!notRunHere.isEmpty()) {
                answerIfEnded(notRunHere);
            }
        } catch (RuntimeException e) {
            LOG.error("cannot check the jobs requests wait for", e);
        }
    }

    private void answerIfEnded(List<String> ids) {
        try {
            jobs.endedJobs(ids).forEach(this::answerAll);
        } catch (StoreUnavailableException e) {
            // Asked again on the next check.
        } catch (RuntimeException e) {
            LOG.error("cannot tell whether jobs {} ended", ids, e);
        }
    }

    private void answerAll(String id) {
        Set<CompletableFuture<JobState>> waiting = waiters.remove(id);
        if (waiting != null) {
            waiting.forEach(ended -> answer(ended, id));
        }
    }

    private void answer(CompletableFuture<JobState> ended, String id) {
        try {
            ended.complete(state.apply(id));
        } catch (RuntimeException e) {
            ended.completeExceptionally(e);
        }
    }
}
