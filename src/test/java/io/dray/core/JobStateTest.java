package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aJobGoesFromQueuedThroughRunningToComplete() {
        JobState state = JobState.queued("j", T0).started(T0.plusSeconds(1)).stepSucceeded().stepSucceeded();
        JobState done = state.completed(T0.plusSeconds(2));
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(done.stepsCompleted()).isEqualTo(2);
        assertThat(done.startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(done.status().isFinal()).isTrue();
    }

    @Test
    void aFailedJobKeepsItsReasonAndItsCompletedSteps() {
        JobState failed = JobState.queued("j", T0).started(T0).stepSucceeded().failed("step 2 (x) exited with code 3", T0);
        assertThat(failed.status()).isEqualTo(JobStatus.ERROR);
        assertThat(failed.stepsCompleted()).isEqualTo(1);
        assertThat(failed.error()).isEqualTo("step 2 (x) exited with code 3");
    }

    @Test
    void aFinishedJobCannotChangeAgain() {
        JobState done = JobState.queued("j", T0).started(T0).completed(T0);
        assertThatThrownBy(() -> done.failed("late", T0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(done::stepSucceeded).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> JobState.queued("j", T0).completed(T0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void statusesAreSpelledAsTheOriginalDid() {
        assertThat(JobStatus.RUNNING.value()).isEqualTo("running");
        assertThat(JobStatus.of("complete")).isEqualTo(JobStatus.COMPLETE);
        assertThat(JobStatus.QUEUED.isFinal()).isFalse();
    }
}
