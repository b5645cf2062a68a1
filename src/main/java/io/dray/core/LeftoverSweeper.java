package io.dray.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers nobody will remove otherwise, on its own thread (its Docker calls may take long): those of
 * instances found dead, those of instances no longer alive (at start-up, and every lease time, since another instance
 * may have taken over a dead one's jobs first, on another Docker engine), and those whose removal failed.
 */
final class LeftoverSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverSweeper.class);

    private final StepRunner runner;
    private final ScheduledExecutorService executor;
    private final Duration interval;
    private final Supplier<Set<String>> liveInstances;

    /** @param liveInstances the instances alive now, null if unknown (then nothing is removed) */
    LeftoverSweeper(StepRunner runner, ScheduledExecutorService executor, Duration interval,
            Supplier<Set<String>> liveInstances) {
        this.runner = runner;
        this.executor = executor;
        this.interval = interval;
        this.liveInstances = liveInstances;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One sweep; never throws (a scheduled task that throws is never run again). */
    void sweep() {
        try {
            runner.retryCleanUp();
            Set<String> live = liveInstances.get();
            if (live != null) {
                runner.removeContainersExceptOf(live);
            }
        } catch (RuntimeException e) {
            LOG.error("cannot sweep leftover containers", e);
        }
    }

    /** Soon removes what a dead instance left running. */
    void removeContainersOf(String instance) {
        try {
            executor.execute(() -> {
                try {
                    runner.removeContainersOf(instance);
                } catch (RuntimeException e) {
                    LOG.error("cannot remove the containers of instance {}", instance, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("shutting down: the containers of instance {} are left to the next sweep", instance);
        }
    }
}
