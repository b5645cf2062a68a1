package io.dray.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.core.JobEngine;
import io.dray.core.SpoolDirectory;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/** How jobs run: {@code engine:} in config.yml. */
public class EngineFactory {
    /** How many jobs run at once; the others wait, status {@code queued}. */
    @Min(1)
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

    @NotNull
    private DataSize logBatchSize = DataSize.mebibytes(1);

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
    public Duration getFinishedJobCacheTime() {
        return finishedJobCacheTime;
    }

    @JsonProperty
    public void setFinishedJobCacheTime(Duration finishedJobCacheTime) {
        this.finishedJobCacheTime = finishedJobCacheTime;
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
                finishedJobCacheTime.toJavaDuration());
    }
}
