package io.dray.core;

import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Engines as tests build them: settings with test-sized defaults that a test changes one at a time, and plain JDK
 * executors for every duty, shut down by {@link #close()}.
 */
public final class TestEngines implements AutoCloseable {
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<JobEngine> engines = new ArrayList<>();

    /** The settings of an engine under test; each {@code with...} returns a changed copy. */
    public record Settings(JobEngine.Settings value) {
        public static Settings defaults() {
            return new Settings(new JobEngine.Settings(4, 100, Duration.ofMillis(50), 1000, 1 << 20,
                    Duration.ofSeconds(5), Duration.ofSeconds(1), null, 100_000, Duration.ofSeconds(1),
                    Duration.ofMillis(10), Duration.ofMillis(40)));
        }

        public Settings withWorkers(int workers) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(workers, s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), s.leaseTime(), s.shutdownGrace(), s.defaultStepTimeout(),
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }

        public Settings withMaxQueuedJobs(int maxQueued) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), maxQueued, s.logFlushInterval(), s.logBatchLines(),
                    s.logBatchBytes(), s.leaseTime(), s.shutdownGrace(), s.defaultStepTimeout(),
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }

        public Settings withLeaseTime(Duration leaseTime) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), leaseTime, s.shutdownGrace(), s.defaultStepTimeout(),
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }

        public Settings withShutdownGrace(Duration grace) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), s.leaseTime(), grace, s.defaultStepTimeout(),
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }

        public Settings withDefaultStepTimeout(Duration timeout) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), s.leaseTime(), s.shutdownGrace(), timeout,
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }

        /** Retries wait {@code first}, then twice as long each time, up to {@code max}. */
        public Settings withRetryDelays(Duration first, Duration max) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), s.leaseTime(), s.shutdownGrace(), s.defaultStepTimeout(),
                    s.maxBufferedLogLines(), s.finishedJobCacheTime(), first, max));
        }

        public Settings withMaxBufferedLogLines(int lines) {
            JobEngine.Settings s = value;
            return new Settings(new JobEngine.Settings(s.workers(), s.maxQueuedJobs(), s.logFlushInterval(),
                    s.logBatchLines(), s.logBatchBytes(), s.leaseTime(), s.shutdownGrace(), s.defaultStepTimeout(),
                    lines, s.finishedJobCacheTime(), s.retryDelay(), s.maxRetryDelay()));
        }
    }

    /** A started engine; stopped (if the test did not) and its executors shut down by {@link #close()}. */
    public JobEngine start(Stores stores, StepRunner runner, SpoolDirectory spools, Clock clock, Settings settings) {
        JobEngine engine = new JobEngine(stores, runner, spools, clock, settings.value(),
                new ImageAllowList(List.of()), new MetricRegistry(), executors(settings.value().workers()));
        engine.start();
        engines.add(engine);
        return engine;
    }

    private JobEngine.Executors executors(int workers) {
        return new JobEngine.Executors(track(Executors.newSingleThreadExecutor()), track(Executors.newFixedThreadPool(workers)),
                scheduled(), scheduled(), scheduled(), scheduled(), scheduled(), track(Executors.newFixedThreadPool(workers)),
                scheduled());
    }

    private ScheduledExecutorService scheduled() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        executor.setRemoveOnCancelPolicy(true);
        return track(executor);
    }

    private <T extends ExecutorService> T track(T executor) {
        executors.add(executor);
        return executor;
    }

    /** Stops the engine as Dray's shutdown does (its jobs go back to the queue), then its executors. */
    public void stop(JobEngine engine) throws InterruptedException {
        if (engines.remove(engine)) {
            engine.stop();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (JobEngine engine : List.copyOf(engines)) {
            stop(engine);
        }
        executors.forEach(ExecutorService::shutdownNow);
    }
}
