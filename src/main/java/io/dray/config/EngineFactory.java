package io.dray.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.core.JobEngine;
import io.dray.core.SpoolDirectory;
import io.dray.docker.DockerStepRunner;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.setup.LifecycleEnvironment;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

/** How jobs run: {@code engine:} in config.yml. */
public class EngineFactory {
    /** The most tasks a background pool holds before the caller does the work itself. */
    private static final int BACKLOG = 10_000;
    private static final java.time.Duration LONGEST_RETENTION = java.time.Duration.ofDays(36_500);

    /**
     * How many jobs run at once; the others wait, status {@code queued}. 0: this instance serves the API only, and runs
     * no job.
     */
    @Min(0)
    @Max(1024)
    private int workers = 4;

    /** How many jobs may wait in the queue (shared by every instance); past that {@code POST /jobs} answers 429. */
    @Min(1)
    private int maxQueuedJobs = 10_000;

    /** How long an instance keeps its jobs after it stopped renewing its lease (crashed, cut off). */
    @NotNull
    @MinDuration(value = 1, unit = java.util.concurrent.TimeUnit.SECONDS)
    private Duration leaseTime = Duration.seconds(15);

    /** On shutdown, how long running steps may go on before their jobs are handed back to the queue. */
    @NotNull
    private Duration shutdownGrace = Duration.seconds(30);

    /** The timeout of a step that sets none; unset for none. */
    private Duration defaultStepTimeout;

    /** Log lines a running job may hold in memory while Redis is unavailable; past that the job is stopped. */
    @Min(1000)
    private int maxBufferedLogLines = 200_000;

    /**
     * Where step output spills to disk and output files are made. When Dray runs in a container, this must be the same
     * path on the host and in Dray's container, because Docker mounts the output files from the host.
     */
    @NotEmpty
    private String dataDirectory = "/tmp/dray";

    /** How much of one step's output is kept in memory before it spills to a file in {@code dataDirectory}. */
    @NotNull
    private DataSize spoolMemoryLimit = DataSize.mebibytes(1);

    /** The longest a log line waits in memory before it is written to Redis. */
    @NotNull
    private Duration logFlushInterval = Duration.milliseconds(100);

    /**
     * How long this instance answers a finished job's status from memory. A job deleted through another instance may
     * still be reported here for this long; {@code 0s} reads Redis every time.
     */
    @NotNull
    private Duration finishedJobCacheTime = Duration.seconds(1);

    @Min(1)
    @Max(5000)
    private int logBatchLines = 1000;

    /**
     * How long an ended job is kept (with its log and records) when it sets no {@code ttl} of its own: a duration
     * such as {@code 7d}, or seconds (env {@code DRAY_KEY_TTL}, the particle-iot fork's name); empty or
     * {@code forever}: kept until deleted, as the original did.
     */
    private String retention = "";

    @NotNull
    private DataSize logBatchSize = DataSize.mebibytes(1);

    /** The most retries a step may ask for ({@code retries}); past that, 422. */
    @Min(0)
    @Max(1000)
    private int maxRetries = 10;

    /** The wait before a step's first retry when the step sets no {@code retryDelay}; doubled before each next one. */
    @NotNull
    private Duration retryDelay = Duration.seconds(1);

    /** The longest wait before a retry, however often it doubled; a step's own {@code retryDelay} may not be longer. */
    @NotNull
    @MinDuration(value = 1, unit = java.util.concurrent.TimeUnit.MILLISECONDS)
    private Duration maxRetryDelay = Duration.minutes(5);

    @JsonProperty
    public int getMaxRetries() {
        return maxRetries;
    }

    @JsonProperty
    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    @JsonProperty
    public Duration getRetryDelay() {
        return retryDelay;
    }

    @JsonProperty
    public void setRetryDelay(Duration retryDelay) {
        this.retryDelay = retryDelay;
    }

    @JsonProperty
    public Duration getMaxRetryDelay() {
        return maxRetryDelay;
    }

    @JsonProperty
    public void setMaxRetryDelay(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    @JsonProperty
    public int getWorkers() {
        return workers;
    }

    @JsonProperty
    public void setWorkers(int workers) {
        this.workers = workers;
    }

    @JsonProperty
    public int getMaxQueuedJobs() {
        return maxQueuedJobs;
    }

    @JsonProperty
    public void setMaxQueuedJobs(int maxQueuedJobs) {
        this.maxQueuedJobs = maxQueuedJobs;
    }

    @JsonProperty
    public Duration getLeaseTime() {
        return leaseTime;
    }

    @JsonProperty
    public void setLeaseTime(Duration leaseTime) {
        this.leaseTime = leaseTime;
    }

    @JsonProperty
    public Duration getShutdownGrace() {
        return shutdownGrace;
    }

    @JsonProperty
    public void setShutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
    }

    @JsonProperty
    public Duration getDefaultStepTimeout() {
        return defaultStepTimeout;
    }

    @JsonProperty
    public void setDefaultStepTimeout(Duration defaultStepTimeout) {
        this.defaultStepTimeout = defaultStepTimeout;
    }

    @JsonProperty
    public int getMaxBufferedLogLines() {
        return maxBufferedLogLines;
    }

    @JsonProperty
    public void setMaxBufferedLogLines(int maxBufferedLogLines) {
        this.maxBufferedLogLines = maxBufferedLogLines;
    }

    @JsonProperty
    public String getDataDirectory() {
        return dataDirectory;
    }

    @JsonProperty
    public void setDataDirectory(String dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    @JsonProperty
    public DataSize getSpoolMemoryLimit() {
        return spoolMemoryLimit;
    }

    @JsonProperty
    public void setSpoolMemoryLimit(DataSize spoolMemoryLimit) {
        this.spoolMemoryLimit = spoolMemoryLimit;
    }

    @JsonProperty
    public Duration getLogFlushInterval() {
        return logFlushInterval;
    }

    @JsonProperty
    public void setLogFlushInterval(Duration logFlushInterval) {
        this.logFlushInterval = logFlushInterval;
    }

    @JsonProperty
    public int getLogBatchLines() {
        return logBatchLines;
    }

    @JsonProperty
    public void setLogBatchLines(int logBatchLines) {
        this.logBatchLines = logBatchLines;
    }

    @JsonProperty
    public DataSize getLogBatchSize() {
        return logBatchSize;
    }

    @JsonProperty
    public void setLogBatchSize(DataSize logBatchSize) {
        this.logBatchSize = logBatchSize;
    }

    @JsonProperty
    public String getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(String retention) {
        this.retention = retention == null ? "" : retention;
    }

    /** The retention as a duration; null for forever. */
    public java.time.Duration retentionTime() {
        String value = retention.trim();
        if (value.isEmpty() || value.equals("forever")) {
            return null;
        }
        java.time.Duration time = value.matches("[0-9]+")
                ? java.time.Duration.ofSeconds(Long.parseLong(value))
                : Duration.parse(value).toJavaDuration();
        if (time.isNegative() || time.isZero() || time.compareTo(LONGEST_RETENTION) > 0) {
            throw new IllegalArgumentException("engine.retention must be longer than zero and at most 100 years: "
                    + retention);
        }
        return time;
    }

    @ValidationMethod(message = "engine.retention must be empty, forever, seconds, or a duration such as 7d or 12h,"
            + " of at most 100 years")
    @JsonIgnore
    public boolean isRetentionValid() {
        try {
            retentionTime();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @JsonProperty
    public Duration getFinishedJobCacheTime() {
        return finishedJobCacheTime;
    }

    @JsonProperty
    public void setFinishedJobCacheTime(Duration finishedJobCacheTime) {
        this.finishedJobCacheTime = finishedJobCacheTime;
    }

    /** The engine's duties, each on its own named, bounded executor, stopped by Dropwizard after the engine. */
    public JobEngine.Executors engineExecutors(Environment environment) {
        LifecycleEnvironment lifecycle = environment.lifecycle();
        return new JobEngine.Executors(
                fixed(lifecycle, "job-dispatcher", 1, 1),
                fixed(lifecycle, "job-%d", threads(), threads()),
                scheduled(lifecycle, "lease-keeper"),
                scheduled(lifecycle, "leftover-sweeper"),
                scheduled(lifecycle, "deadlines"),
                scheduled(lifecycle, "log-flusher"),
                // A waiting request's time-out is cancelled when its job ends first: drop it then, not when it would run.
                lifecycle.scheduledExecutorService("completion-waiters").threads(1).removeOnCancelPolicy(true).build(),
                // One stop per running step at most, each retried until its container exits: the backlog never fills.
                fixed(lifecycle, "step-stop-%d", threads(), BACKLOG),
                scheduled(lifecycle, "retention-sweeper"));
    }

    /** The step runner's pools, one thread per step that may run: stdin writers, image reads, container removals. */
    public DockerStepRunner.Executors runnerExecutors(Environment environment) {
        LifecycleEnvironment lifecycle = environment.lifecycle();
        return new DockerStepRunner.Executors(
                fixed(lifecycle, "step-stdin-%d", threads(), threads()),
                fixed(lifecycle, "step-inspect-%d", threads(), threads() * 4),
                // As many as steps may run: after a burst of cancels every stopped container is removed at once.
                lifecycle.executorService("container-removal-%d").minThreads(threads()).maxThreads(threads())
                        .workQueue(new ArrayBlockingQueue<>(BACKLOG))
                        // A backlog this long means Docker is very slow: the step removes its own container then.
                        .rejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy())
                        .build());
    }

    /** Where data no step needs any more is deleted, off the jobs' path. */
    public ExecutorService dataDeletions(Environment environment) {
        return environment.lifecycle().executorService("data-deletion-%d").minThreads(1).maxThreads(1)
                .workQueue(new ArrayBlockingQueue<>(BACKLOG))
                .rejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy())
                .build();
    }

    /** Where live streams read log pages and write events: a few threads serve every follower, none is parked. */
    public ExecutorService liveStreamWork(Environment environment) {
        return fixed(environment.lifecycle(), "live-stream-%d", 4, BACKLOG);
    }

    /** Where the answers of requests that waited for a job are written, off the engine's threads. */
    public ExecutorService waitAnswers(Environment environment) {
        return environment.lifecycle().executorService("wait-answer-%d").minThreads(2).maxThreads(2)
                .workQueue(new ArrayBlockingQueue<>(BACKLOG))
                .rejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy())
                .build();
    }

    /** Threads of the pools sized by the workers: one at least, a pool cannot have none. */
    private int threads() {
        return Math.max(1, workers);
    }

    private static ExecutorService fixed(LifecycleEnvironment lifecycle, String name, int threads, int queued) {
        return lifecycle.executorService(name).minThreads(threads).maxThreads(threads)
                .workQueue(new ArrayBlockingQueue<>(queued))
                .build();
    }

    private static ScheduledExecutorService scheduled(LifecycleEnvironment lifecycle, String name) {
        return lifecycle.scheduledExecutorService(name).threads(1).build();
    }

    public SpoolDirectory spoolDirectory(Executor deletions) {
        return new SpoolDirectory(Path.of(dataDirectory), (int) Math.min(Integer.MAX_VALUE - 8, spoolMemoryLimit.toBytes()),
                deletions);
    }

    public JobEngine.Settings settings() {
        return new JobEngine.Settings(
                workers,
                maxQueuedJobs,
                logFlushInterval.toJavaDuration(),
                logBatchLines,
                (int) Math.min(Integer.MAX_VALUE, logBatchSize.toBytes()),
                leaseTime.toJavaDuration(),
                shutdownGrace.toJavaDuration(),
                defaultStepTimeout == null ? null : defaultStepTimeout.toJavaDuration(),
                maxBufferedLogLines,
                finishedJobCacheTime.toJavaDuration(),
                retryDelay.toJavaDuration(),
                maxRetryDelay.toJavaDuration());
    }
}
