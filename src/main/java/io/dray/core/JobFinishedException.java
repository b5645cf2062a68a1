package io.dray.core;

/** The job has already ended; what was asked can only be done to a queued or running job. */
public class JobFinishedException extends RuntimeException {
    public JobFinishedException(JobState state) {
        super("job " + state.id() + " has already ended (" + state.status().value() + ")");
    }
}
