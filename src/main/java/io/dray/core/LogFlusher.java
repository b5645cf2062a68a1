package io.dray.core;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the log lines of this instance's runs that wait in memory, every flush interval, on its own thread: a quiet
 * step's lines show up without waiting for a full batch.
 */
final class LogFlusher {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final Dispatcher dispatcher;
    private final ScheduledExecutorService executor;
    private final Duration interval;

    LogFlusher(Dispatcher dispatcher, ScheduledExecutorService executor, Duration interval) {
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.interval = interval;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::flush, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void flush() {
        for (JobRun run : dispatcher.runs()) {
            try {
                run.log().flush();
            } catch (StoreUnavailableException e) {
                LOG.debug("log lines of job {} wait for the store", run.claim().jobId());
            } catch (RuntimeException e) {
                LOG.error("cannot write the log lines of job {}", run.claim().jobId(), e);
            }
        }
    }
}
