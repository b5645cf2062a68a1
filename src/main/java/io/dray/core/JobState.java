package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * What is known of a job's progress: its status and a record per step. The only way to change it is a transition
 * method, each of which checks that the job and the step start from a state they may leave ({@link
 * StepStatus#mayBecome}); the store saves a transition's result only if nothing else was saved since the state it
 * started from was read ({@code version}), so no transition can undo another.
 *
 * @param name the job's name as submitted, null for none
 * @param version how many times the store saved this job's state; kept by transitions, counted by the store
 * @param callback how the delivery of the job's callback stands, null if it has none; the store's deliveries change
 *     it, never a transition (which keeps it as it was read)
 */
public record JobState(
        String id,
        String name,
        JobStatus status,
        int stepsCompleted,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        List<StepRecord> steps,
        long version,
        CallbackStatus callback) {

    public JobState {
        requireNonNull(id, "id");
        requireNonNull(status, "status");
        requireNonNull(createdAt, "createdAt");
        steps = List.copyOf(steps);
    }

    public static JobState queued(Job job, Instant at) {
        List<StepRecord> steps = IntStream.range(0, job.steps().size())
                .mapToObj(i -> StepRecord.pending(i, job.steps().get(i)))
                .toList();
        return new JobState(job.id(), job.name(), JobStatus.QUEUED, 0, null, at, null, null, steps, 0,
                job.callback() == null ? null : new CallbackStatus(CallbackStatus.State.WAITING, 0, null));
    }

    /** How long the job ran, from its start to its end; null until it ended, or if it never started. */
    public java.time.Duration runTime() {
        return startedAt == null || finishedAt == null ? null : java.time.Duration.between(startedAt, finishedAt);
    }

    public StepRecord step(int index) {
        return steps.get(index);
    }

    public JobState started(Instant at) {
        requireStatus(JobStatus.QUEUED);
        return new JobState(id, name, JobStatus.RUNNING, stepsCompleted, null, createdAt, startedAt == null ? at : startedAt,
                null, steps, version, callback);
    }

    /** A new attempt of the step begins with a pull of its image. */
    public JobState stepPulling(int index) {
        requireStatus(JobStatus.RUNNING);
        return withStep(index, step -> step.begin(StepStatus.PULLING));
    }

    /** The step's container exists; a new attempt begins here unless it began with a pull. */
    public JobState stepCreated(int index, String containerId) {
        requireStatus(JobStatus.RUNNING);
        return withStep(index, step -> (step.status() == StepStatus.PENDING
                ? step.begin(StepStatus.CREATED) : step.moveTo(StepStatus.CREATED)).withContainer(containerId));
    }

    public JobState stepRunning(int index, Instant at) {
        requireStatus(JobStatus.RUNNING);
        return withStep(index, step -> step.moveTo(StepStatus.RUNNING).withStartedAt(at));
    }

    public JobState stepStopping(int index) {
        requireStatus(JobStatus.RUNNING);
        return withStep(index, step -> step.moveTo(StepStatus.STOPPING));
    }

    /** The step exited with code 0; the next one may begin. */
    public JobState stepSucceeded(int index, StepResult result, Instant at) {
        requireStatus(JobStatus.RUNNING);
        if (index != stepsCompleted) {
            throw new IllegalStateException("job " + id + " has completed " + stepsCompleted + " steps, not " + index);
        }
        JobState next = withStep(index, step -> step.ended(StepStatus.COMPLETE, result, null, at));
        return new JobState(id, name, status, stepsCompleted + 1, null, createdAt, startedAt, null, next.steps, version,
                callback);
    }

    /**
     * Counts an attempt that failed before the step was begun (its container could not even be created), which no
     * transition of the step's phases counts; an attempt already counted is left as it is.
     */
    public JobState stepAttempted(int index, int attempt) {
        if (steps.get(index).attempt() >= attempt) {
            return this;
        }
        requireStatus(JobStatus.RUNNING);
        return withStep(index, step -> step.withAttempt(attempt));
    }

    /**
     * The step's attempt failed and the step will begin again: it is pending, and shows how that attempt ended until
     * the next one begins.
     */
    public JobState stepRetrying(int index, int attempt, StepResult result, String reason, Instant at) {
        requireStatus(JobStatus.RUNNING);
        return withStep(index,
                step -> step.awaitingRetry(result, reason, at).withAttempt(Math.max(attempt, step.attempt())));
    }

    public JobState completed(Instant at) {
        requireStatus(JobStatus.RUNNING);
        if (stepsCompleted != steps.size()) {
            throw new IllegalStateException("job " + id + " has completed " + stepsCompleted + " of " + steps.size() + " steps");
        }
        return new JobState(id, name, JobStatus.COMPLETE, stepsCompleted, null, createdAt, startedAt, at, steps, version,
                callback);
    }

    /**
     * The job ends in error because of step {@code index}, which ends in error with what it produced; the steps after
     * it never begin.
     */
    public JobState stepFailed(int index, StepResult result, String reason, Instant at) {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        JobState next = withStep(index, step -> step.ended(StepStatus.ERROR, result, reason, at));
        return next.ended(JobStatus.ERROR, reason, at, StepStatus.ERROR);
    }

    /** The job ends in error for a reason of its own (a job timeout, an unreadable job): a begun step ends too. */
    public JobState failed(String reason, Instant at) {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        return ended(JobStatus.ERROR, reason, at, StepStatus.ERROR);
    }

    /** Cancelled: a begun step ends {@code cancelled} (its container is being stopped); the others never begin. */
    public JobState cancelled(String reason, Instant at) {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        return ended(JobStatus.CANCELLED, reason, at, StepStatus.CANCELLED);
    }

    /** Handed back to the queue: a begun step is pending again, and begins anew with its next attempt. */
    public JobState requeued() {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        List<StepRecord> next = steps.stream()
                .map(step -> step.status().isBegun() ? step.moveTo(StepStatus.PENDING) : step)
                .toList();
        return new JobState(id, name, JobStatus.QUEUED, stepsCompleted, null, createdAt, startedAt, null, next, version,
                callback);
    }

    /** This state with how its callback's delivery stands now, as the store read it. */
    public JobState withCallback(CallbackStatus now) {
        return new JobState(id, name, status, stepsCompleted, error, createdAt, startedAt, finishedAt, steps, version, now);
    }

    /** The state the store saved: this one at its new version. */
    public JobState savedAs(long newVersion) {
        return new JobState(id, name, status, stepsCompleted, error, createdAt, startedAt, finishedAt, steps, newVersion,
                callback);
    }

    private JobState ended(JobStatus end, String reason, Instant at, StepStatus begunStepEnd) {
        List<StepRecord> next = steps.stream()
                .map(step -> step.status().isBegun() || step.awaitsAnotherAttempt()
                        ? step.ended(begunStepEnd, null, reason, at)
                        : step.status() == StepStatus.PENDING ? step.moveTo(StepStatus.SKIPPED) : step)
                .toList();
        return new JobState(id, name, end, stepsCompleted, reason, createdAt, startedAt, at, next, version, callback);
    }

    private JobState withStep(int index, UnaryOperator<StepRecord> change) {
        List<StepRecord> next = new ArrayList<>(steps);
        next.set(index, change.apply(steps.get(index)));
        return new JobState(id, name, status, stepsCompleted, error, createdAt, startedAt, finishedAt, next, version,
                callback);
    }

    private void requireStatus(JobStatus... allowed) {
        if (!Arrays.asList(allowed).contains(status)) {
            throw new IllegalStateException("job " + id + " is " + status.value() + ", expected " + Arrays.toString(allowed));
        }
    }
}
