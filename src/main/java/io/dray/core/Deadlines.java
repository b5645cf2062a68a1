package io.dray.core;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the runs of this instance on its own thread: stops a run whose step or job went past its timeout, or whose
 * log overflowed while Redis was down. A stop only asks (the container is stopped on the stops' executor), so one
 * slow stop never delays another run's deadline.
 */
final class Deadlines {
    private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);
    static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

    private final Dispatcher dispatcher;
    private final ScheduledExecutorService executor;
    private final Clock clock;

    Deadlines(Dispatcher dispatcher, ScheduledExecutorService executor, Clock clock) {
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.clock = clock;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::check, 0, CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One check; never throws (a scheduled task that throws is never run again). */
    void check() {
        try {
            var now = clock.instant();
            dispatcher.runs().forEach(run -> run.checkDeadlines(now));
        } catch (RuntimeException e) {
            LOG.error("cannot check the runs' deadlines", e);
        }
    }
}
