package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final StepResult OK = new StepResult(0, "sha256:i", new StepRecord.Output(4, 1), StepRecord.Output.NONE, 4);

    private static JobState queued(int steps) {
        List<Step> list = java.util.stream.IntStream.range(0, steps)
                .mapToObj(i -> new Step("s" + i, "img", List.of(), null, false, null, null)).toList();
        return JobState.queued(new Job("j", null, List.of(), list), T0);
    }

    private static JobState ran(JobState state, int index) {
        return state.stepCreated(index, "c" + index).stepRunning(index, T0.plusSeconds(index))
                .stepSucceeded(index, OK, T0.plusSeconds(index + 1));
    }

    @Test
    void aJobGoesFromQueuedThroughEachStepsLifeToComplete() {
        JobState state = queued(2).started(T0);
        state = state.stepPulling(0);
        assertThat(state.step(0).status()).isEqualTo(StepStatus.PULLING);
        assertThat(state.step(0).attempt()).isEqualTo(1);
        state = state.stepCreated(0, "c0");
        assertThat(state.step(0).attempt()).as("pulling began the attempt").isEqualTo(1);
        assertThat(state.step(0).containerId()).isEqualTo("c0");
        state = state.stepRunning(0, T0.plusSeconds(1)).stepSucceeded(0, OK, T0.plusSeconds(2));
        state = ran(state, 1);
        JobState done = state.completed(T0.plusSeconds(3));
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(done.stepsCompleted()).isEqualTo(2);
        assertThat(done.startedAt()).isEqualTo(T0);
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(3));
        StepRecord first = done.step(0);
        assertThat(first.status()).isEqualTo(StepStatus.COMPLETE);
        assertThat(first.exitCode()).isZero();
        assertThat(first.imageId()).isEqualTo("sha256:i");
        assertThat(first.startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(first.finishedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(first.stdout()).isEqualTo(new StepRecord.Output(4, 1));
        assertThat(first.bytesPassed()).isEqualTo(4);
    }

    @Test
    void aFailedStepEndsTheJobAndTheStepsAfterItNeverBegin() {
        StepResult failed = new StepResult(3, null, StepRecord.Output.NONE, new StepRecord.Output(6, 1), 0);
        JobState state = ran(queued(3).started(T0), 0).stepCreated(1, "c1").stepRunning(1, T0)
                .stepFailed(1, failed, "step 2 (s1) exited with code 3", T0.plusSeconds(5));
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.stepsCompleted()).isEqualTo(1);
        assertThat(state.error()).isEqualTo("step 2 (s1) exited with code 3");
        assertThat(state.steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.COMPLETE, StepStatus.ERROR, StepStatus.SKIPPED);
        assertThat(state.step(1).exitCode()).isEqualTo(3);
        assertThat(state.step(1).error()).isEqualTo("step 2 (s1) exited with code 3");
        assertThat(state.step(1).stderr()).isEqualTo(new StepRecord.Output(6, 1));
    }

    @Test
    void aCancelEndsTheBegunStepCancelledAndSkipsTheRestButKeepsWhatCompleted() {
        JobState state = ran(queued(3).started(T0), 0).stepCreated(1, "c1").cancelled("by a test", T0.plusSeconds(9));
        assertThat(state.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(state.stepsCompleted()).isEqualTo(1);
        assertThat(state.steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.COMPLETE, StepStatus.CANCELLED, StepStatus.SKIPPED);
        assertThat(state.step(1).finishedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(state.step(1).error()).isEqualTo("by a test");
    }

    @Test
    void aQueuedJobThatIsCancelledSkipsEveryStep() {
        JobState state = queued(2).cancelled("never mind", T0);
        assertThat(state.steps()).extracting(StepRecord::status).containsOnly(StepStatus.SKIPPED);
    }

    @Test
    void aRequeuedJobsBegunStepIsPendingAgainAndItsNextAttemptIsCounted() {
        JobState state = ran(queued(2).started(T0), 0).stepCreated(1, "c1").stepRunning(1, T0).requeued();
        assertThat(state.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(state.step(1).status()).isEqualTo(StepStatus.PENDING);
        assertThat(state.step(0).status()).isEqualTo(StepStatus.COMPLETE);
        JobState again = state.started(T0.plusSeconds(60)).stepCreated(1, "c1b");
        assertThat(again.step(1).attempt()).isEqualTo(2);
        assertThat(again.step(1).containerId()).isEqualTo("c1b");
        assertThat(again.startedAt()).as("a job starts once").isEqualTo(T0);
    }

    @Test
    void aStepAwaitingItsRetryIsPendingWithHowItsAttemptEndedAndItsNextAttemptIsCounted() {
        StepResult failed = new StepResult(3, "sha256:i", new StepRecord.Output(5, 1), StepRecord.Output.NONE, 0);
        JobState running = queued(2).started(T0).stepCreated(0, "c0").stepRunning(0, T0);
        JobState retrying = running.stepRetrying(0, 1, failed, "step 1 (s0) exited with code 3", T0.plusSeconds(1));
        StepRecord waiting = retrying.step(0);
        assertThat(retrying.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(waiting.status()).isEqualTo(StepStatus.PENDING);
        assertThat(waiting.awaitsAnotherAttempt()).isTrue();
        assertThat(waiting.exitCode()).isEqualTo(3);
        assertThat(waiting.error()).isEqualTo("step 1 (s0) exited with code 3");
        assertThat(waiting.stdout()).isEqualTo(new StepRecord.Output(5, 1));
        assertThat(JobEvent.between(running, retrying, T0)).extracting(JobEvent::type, JobEvent::step, JobEvent::status)
                .containsExactly(tuple("step.retrying", 0, "pending"));
        StepRecord next = retrying.stepCreated(0, "c0b").step(0);
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.exitCode()).as("the new attempt forgets the last one's end").isNull();
        assertThat(next.error()).isNull();
    }

    @Test
    void aStepThatRanBeforeEndsCancelledOrInErrorWhenItsJobEndsWhileItWaits() {
        JobState retrying = queued(2).started(T0).stepCreated(0, "c0").stepRunning(0, T0)
                .stepRetrying(0, 1, StepResult.NONE, "exited with code 1", T0);
        assertThat(retrying.cancelled("stop", T0).steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.CANCELLED, StepStatus.SKIPPED);
        assertThat(retrying.failed("job timed out", T0).steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.ERROR, StepStatus.SKIPPED);
    }

    @Test
    void aFinishedJobAndAFinishedStepCannotChangeAgain() {
        JobState done = ran(queued(1).started(T0), 0).completed(T0);
        assertThatThrownBy(() -> done.failed("late", T0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> done.cancelled("late", T0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> queued(1).completed(T0)).isInstanceOf(IllegalStateException.class);
        JobState running = ran(queued(2).started(T0), 0);
        assertThatThrownBy(() -> running.stepRunning(0, T0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> running.stepSucceeded(1, OK, T0)).as("not yet begun").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> running.completed(T0)).as("a step is left").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theStepLifecycleRuleAllowsOnlyForwardMovesAndAHandBack() {
        assertThat(StepStatus.PENDING.mayBecome(StepStatus.RUNNING)).as("created first").isFalse();
        assertThat(StepStatus.CREATED.mayBecome(StepStatus.RUNNING)).isTrue();
        assertThat(StepStatus.RUNNING.mayBecome(StepStatus.CREATED)).isFalse();
        assertThat(StepStatus.STOPPING.mayBecome(StepStatus.RUNNING)).isFalse();
        assertThat(StepStatus.RUNNING.mayBecome(StepStatus.PENDING)).as("handed back").isTrue();
        for (StepStatus end : List.of(StepStatus.COMPLETE, StepStatus.ERROR, StepStatus.CANCELLED, StepStatus.SKIPPED)) {
            for (StepStatus any : StepStatus.values()) {
                assertThat(end.mayBecome(any)).as(end + " -> " + any).isFalse();
            }
        }
    }

    @Test
    void theApiShowsEachFinerStateAsOneOfSix() {
        assertThat(List.of(StepStatus.values())).extracting(StepStatus::shown).containsExactly(
                "pending", "pending", "pending", "running", "running", "complete", "error", "cancelled", "skipped");
    }

    @Test
    void eventsTellEachChangeOfTheJobAndOfItsStepsInOrder() {
        JobState queued = queued(2);
        assertThat(JobEvent.between(null, queued, T0)).containsExactly(new JobEvent("job.queued", "j", null, "queued", T0));
        JobState running = queued.started(T0);
        assertThat(JobEvent.between(queued, running, T0)).extracting(JobEvent::type).containsExactly("job.running");
        JobState created = running.stepCreated(0, "c0");
        assertThat(JobEvent.between(running, created, T0)).as("created is not an event").isEmpty();
        JobState stepRunning = created.stepRunning(0, T0);
        assertThat(JobEvent.between(created, stepRunning, T0))
                .containsExactly(new JobEvent("step.running", "j", 0, "running", T0));
        JobState failed = stepRunning.stepFailed(0, StepResult.NONE, "boom", T0);
        assertThat(JobEvent.between(stepRunning, failed, T0)).extracting(JobEvent::type, JobEvent::step, JobEvent::status)
                .containsExactly(tuple("step.exited", 0, "error"), tuple("job.error", null, "error"));
        assertThat(JobEvent.between(queued, queued.cancelled("x", T0), T0)).as("skipped steps never ran")
                .extracting(JobEvent::type).containsExactly("job.cancelled");
    }

    @Test
    void statusesAreSpelledAsTheOriginalDid() {
        assertThat(JobStatus.RUNNING.value()).isEqualTo("running");
        assertThat(JobStatus.of("complete")).isEqualTo(JobStatus.COMPLETE);
        assertThat(JobStatus.QUEUED.isFinal()).isFalse();
    }
}
