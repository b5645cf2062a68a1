package io.dray.metrics;

import io.dray.core.JobEvent;
import io.dray.core.JobObserver;
import io.dray.core.JobState;
import io.dray.core.StepRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.time.Instant;

/**
 * What jobs and steps did on this instance, in Prometheus's terms. It counts the events {@link JobEvent#between} makes
 * of each change, so that a count means what the same event means on {@code GET /events}.
 */
final class JobCounters implements JobObserver {
    /** From a step that only echoes (a fraction of a second) to batch steps of hours. */
    private static final double[] STEP_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
            10800};
    private final Counter submitted;
    private final Counter jobs;
    private final Counter steps;
    private final Counter retries;
    private final Histogram stepDurations;

    JobCounters(PrometheusRegistry registry) {
        submitted = Counter.builder()
                .name("dray_jobs_submitted_total")
                .help("Jobs submitted to this instance")
                .register(registry);
        jobs = Counter.builder()
                .name("dray_jobs_total")
                .help("Jobs that ended, by how: complete, error or cancelled (a cancel is counted where it was asked)")
                .labelNames("status")
                .register(registry);
        steps = Counter.builder()
                .name("dray_steps_total")
                .help("Steps that ran on this instance and exited, by how: complete, error or cancelled")
                .labelNames("status")
                .register(registry);
        retries = Counter.builder()
                .name("dray_step_retries_total")
                .help("Attempts of steps that failed and were retried")
                .register(registry);
        stepDurations = Histogram.builder()
                .name("dray_step_duration_seconds")
                .help("How long steps ran, from their container's start to their exit, by how they exited")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(STEP_SECONDS)
                .labelNames("status")
                .register(registry);
        for (String status : new String[] {"complete", "error", "cancelled"}) {
            // Present at zero from the start, so that rate() and absence alerts work before the first job ends.
            jobs.labelValues(status);
            steps.labelValues(status);
            stepDurations.labelValues(status);
        }
    }

    @Override
    public void changed(JobState before, JobState after) {
        // The events' time is not counted: any instant will do.
        for (JobEvent event : JobEvent.between(before, after, Instant.EPOCH)) {
            switch (event.type()) {
                case "job.queued" -> {
                    if (before == null) {
                        submitted.inc();
                    }
                }
                case "job.complete", "job.error", "job.cancelled" -> jobs.labelValues(event.status()).inc();
                case "step.exited" -> stepExited(after.step(event.step()), event.status());
                case "step.retrying" -> retries.inc();
                default -> { }
            }
        }
    }

    private void stepExited(StepRecord step, String status) {
        steps.labelValues(status).inc();
        if (step.startedAt() != null && step.finishedAt() != null) {
            stepDurations.labelValues(status)
                    .observe(Duration.between(step.startedAt(), step.finishedAt()).toNanos() / 1e9);
        }
    }
}
