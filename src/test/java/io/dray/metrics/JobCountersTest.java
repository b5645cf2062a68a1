package io.dray.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.Step;
import io.dray.core.StepRecord;
import io.dray.core.StepResult;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobCountersTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final StepResult OK = new StepResult(0, "sha256:i", StepRecord.Output.NONE, StepRecord.Output.NONE, 0);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final JobCounters counters = new JobCounters(registry);

    private static JobState queued(int steps) {
        List<Step> list = java.util.stream.IntStream.range(0, steps)
                .mapToObj(i -> new Step("s" + i, "img", List.of(), null, false, null, null)).toList();
        return JobState.queued(new Job("j", null, List.of(), list), T0);
    }

    /** Each change as the engine writes it, one write at a time, told to the counters. */
    private JobState write(JobState before, JobState after) {
        counters.changed(before, after);
        return after;
    }

    @Test
    void aJobCountsItsSubmissionEachStepsExitAndDurationAndItsEndOnce() {
        JobState state = write(null, queued(2));
        state = write(state, state.started(T0));
        state = write(state, state.stepCreated(0, "c0").stepRunning(0, T0.plusSeconds(1)));
        state = write(state, state.stepSucceeded(0, OK, T0.plusSeconds(3)));
        state = write(state, state.stepCreated(1, "c1").stepRunning(1, T0.plusSeconds(3)));
        state = write(state, state.stepSucceeded(1, OK, T0.plusSeconds(4)).completed(T0.plusSeconds(4)));
        write(state, state); // a write that changes nothing counts nothing

        assertThat(counter("dray_jobs_submitted", Labels.EMPTY)).isEqualTo(1);
        assertThat(counter("dray_jobs", Labels.of("status", "complete"))).isEqualTo(1);
        assertThat(counter("dray_jobs", Labels.of("status", "error"))).isZero();
        assertThat(counter("dray_steps", Labels.of("status", "complete"))).isEqualTo(2);
        HistogramSnapshot.HistogramDataPointSnapshot durations = histogram("dray_step_duration_seconds",
                Labels.of("status", "complete"));
        assertThat(durations.getCount()).isEqualTo(2);
        assertThat(durations.getSum()).isEqualTo(3.0);
    }

    @Test
    void aFailedStepAndACancelledJobCountByHowTheyEnded() {
        JobState failing = queued(2).started(T0).stepCreated(0, "c0").stepRunning(0, T0);
        write(failing, failing.stepFailed(0, new StepResult(3, null, StepRecord.Output.NONE, StepRecord.Output.NONE, 0),
                "step 1 (s0) exited with code 3", T0.plusSeconds(1)));
        JobState queued = queued(1);
        write(queued, queued.cancelled("cancelled by a test", T0));

        assertThat(counter("dray_jobs", Labels.of("status", "error"))).isEqualTo(1);
        assertThat(counter("dray_jobs", Labels.of("status", "cancelled"))).isEqualTo(1);
        assertThat(counter("dray_steps", Labels.of("status", "error"))).isEqualTo(1);
        assertThat(counter("dray_steps", Labels.of("status", "cancelled"))).as("a step that never began never exited")
                .isZero();
        assertThat(counter("dray_jobs_submitted", Labels.EMPTY)).as("only a new job is a submission").isZero();
    }

    private double counter(String name, Labels labels) {
        return ((CounterSnapshot) snapshot(name)).getDataPoints().stream()
                .filter(point -> point.getLabels().equals(labels))
                .findFirst().orElseThrow().getValue();
    }

    private HistogramSnapshot.HistogramDataPointSnapshot histogram(String name, Labels labels) {
        return ((HistogramSnapshot) snapshot(name)).getDataPoints().stream()
                .filter(point -> point.getLabels().equals(labels))
                .findFirst().orElseThrow();
    }

    private MetricSnapshot snapshot(String name) {
        return registry.scrape().stream().filter(metric -> metric.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(name));
    }
}
