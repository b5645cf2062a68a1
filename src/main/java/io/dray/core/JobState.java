package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;

/**
 * What is known of a job's progress. The only way to change it is a transition method, each of which checks that it
 * starts from a status it may leave; the store persists whole states.
 */
public record JobState(
        String id,
        JobStatus status,
        int stepsCompleted,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {

    public JobState {
        requireNonNull(id, "id");
        requireNonNull(status, "status");
        requireNonNull(createdAt, "createdAt");
    }

    public static JobState queued(String jobId, Instant at) {
        return new JobState(jobId, JobStatus.QUEUED, 0, null, at, null, null);
    }

    public JobState started(Instant at) {
        requireStatus(JobStatus.QUEUED);
        return new JobState(id, JobStatus.RUNNING, stepsCompleted, null, createdAt, at, null);
    }

    public JobState stepSucceeded() {
        requireStatus(JobStatus.RUNNING);
        return new JobState(id, status, stepsCompleted + 1, null, createdAt, startedAt, null);
    }

    public JobState completed(Instant at) {
        requireStatus(JobStatus.RUNNING);
        return new JobState(id, JobStatus.COMPLETE, stepsCompleted, null, createdAt, startedAt, at);
    }

    public JobState failed(String reason, Instant at) {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        return new JobState(id, JobStatus.ERROR, stepsCompleted, reason, createdAt, startedAt, at);
    }

    public JobState cancelled(String reason, Instant at) {
        requireStatus(JobStatus.QUEUED, JobStatus.RUNNING);
        return new JobState(id, JobStatus.CANCELLED, stepsCompleted, reason, createdAt, startedAt, at);
    }

    private void requireStatus(JobStatus... allowed) {
        if (!Arrays.asList(allowed).contains(status)) {
            throw new IllegalStateException("job " + id + " is " + status.value() + ", expected " + Arrays.toString(allowed));
        }
    }
}
