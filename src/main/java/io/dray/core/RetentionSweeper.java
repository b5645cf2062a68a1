package io.dray.core;

import com.codahale.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes ended jobs whose retention ran out (their own {@code ttl}, or the engine's), with their logs and records,
 * on its own thread. Every instance sweeps; each job is deleted, and counted, by the one whose delete found it.
 */
final class RetentionSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int BATCH = 100;

    private final JobStore jobs;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Meter expired;
    private final Consumer<String> deleted;

    /** @param deleted told of each job this instance deleted */
    RetentionSweeper(JobStore jobs, ScheduledExecutorService executor, Clock clock, Meter expired,
            Consumer<String> deleted) {
        this.jobs = jobs;
        this.executor = executor;
        this.clock = clock;
        this.expired = expired;
        this.deleted = deleted;
    }

    /** First gives every ended job its deletion time by the retention set now, then sweeps every second. */
    void start() {
        executor.execute(this::schedule);
        executor.scheduleWithFixedDelay(this::sweep, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void schedule() {
        try {
            jobs.scheduleExpiries();
        } catch (RuntimeException e) {
            LOG.warn("cannot set when the jobs that ended before are deleted: {}", e.getMessage());
        }
    }

    /** Deletes every job due now; never throws (a scheduled task that throws is never run again). */
    void sweep() {
        try {
            List<String> due;
            do {
                due = jobs.expired(clock.instant(), BATCH);
                for (String id : due) {
                    if (jobs.delete(id)) {
                        expired.mark();
                        deleted.accept(id);
                    }
                }
            } while (due.size() == BATCH);
        } catch (StoreUnavailableException e) {
            LOG.debug("expired jobs wait for the store: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("cannot delete expired jobs", e);
        }
    }
}
