package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What is known of one step of a job, kept with the job in the store: its state, the container and image of its
 * latest attempt, how that attempt ended, and what it wrote. Changed only through {@link JobState}'s transitions.
 *
 * @param source the image as the job names it
 * @param imageId the image the latest attempt's container was created from ({@code sha256:...}); null until known
 * @param attempt how many times the step was begun (1 for the first); 0 before it was ever begun
 * @param stdout what the step wrote to stdout in its latest attempt (all of it, also what was passed on)
 * @param bytesPassed the bytes handed to the next step (after delimiters were applied); 0 for the last step
 */
public record StepRecord(
        int index,
        String name,
        String source,
        StepStatus status,
        String imageId,
        String containerId,
        Integer exitCode,
        Instant startedAt,
        Instant finishedAt,
        int attempt,
        Output stdout,
        Output stderr,
        long bytesPassed,
        String error) {

    /** Bytes and lines written to one stream; a last line without a newline counts as a line. */
    public record Output(long bytes, long lines) {
        public static final Output NONE = new Output(0, 0);
    }

    public StepRecord {
        requireNonNull(source, "source");
        requireNonNull(status, "status");
        stdout = stdout == null ? Output.NONE : stdout;
        stderr = stderr == null ? Output.NONE : stderr;
    }

    public static StepRecord pending(int index, Step step) {
        return new StepRecord(index, step.name(), step.source(), StepStatus.PENDING, null, null, null, null, null, 0,
                Output.NONE, Output.NONE, 0, null);
    }

    StepRecord moveTo(StepStatus next) {
        if (!status.mayBecome(next)) {
            throw new IllegalStateException("step " + index + " is " + status.value() + " and cannot become " + next.value());
        }
        return new StepRecord(index, name, source, next, imageId, containerId, exitCode, startedAt, finishedAt, attempt,
                stdout, stderr, bytesPassed, error);
    }

    /** A new attempt begins: what the last attempt left is forgotten. */
    StepRecord begin(StepStatus next) {
        moveTo(next);
        return new StepRecord(index, name, source, next, null, null, null, null, null, attempt + 1,
                Output.NONE, Output.NONE, 0, null);
    }

    /** Pending again after an attempt that failed, with how it ended, until the next attempt begins. */
    StepRecord awaitingRetry(StepResult result, String reason, Instant at) {
        StepRecord moved = status == StepStatus.PENDING ? this : moveTo(StepStatus.PENDING);
        return new StepRecord(index, name, source, StepStatus.PENDING,
                result != null && result.imageId() != null ? result.imageId() : moved.imageId,
                containerId,
                result != null ? result.exitCode() : exitCode,
                startedAt, at, attempt,
                result != null ? result.stdout() : stdout,
                result != null ? result.stderr() : stderr,
                0,
                reason);
    }

    /** Pending after it was begun before: a retry, or a job handed back to the queue, will begin it again. */
    public boolean awaitsAnotherAttempt() {
        return status == StepStatus.PENDING && attempt > 0;
    }

    StepRecord withAttempt(int number) {
        return new StepRecord(index, name, source, status, imageId, containerId, exitCode, startedAt, finishedAt, number,
                stdout, stderr, bytesPassed, error);
    }

    StepRecord withContainer(String id) {
        return new StepRecord(index, name, source, status, imageId, id, exitCode, startedAt, finishedAt, attempt,
                stdout, stderr, bytesPassed, error);
    }

    StepRecord withStartedAt(Instant at) {
        return new StepRecord(index, name, source, status, imageId, containerId, exitCode, at, finishedAt, attempt,
                stdout, stderr, bytesPassed, error);
    }

    StepRecord ended(StepStatus end, StepResult result, String reason, Instant at) {
        StepRecord moved = moveTo(end);
        return new StepRecord(index, name, source, end,
                result != null && result.imageId() != null ? result.imageId() : moved.imageId,
                containerId,
                result != null ? result.exitCode() : exitCode,
                startedAt, at, attempt,
                result != null ? result.stdout() : stdout,
                result != null ? result.stderr() : stderr,
                result != null ? result.bytesPassed() : 0,
                reason);
    }
}
