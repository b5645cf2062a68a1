package io.dray.core;

/**
 * One instance's right to run a job, from the store. Every write the owner makes is checked against it (owner and
 * epoch), so an instance that lost the job (it was taken over, cancelled or deleted) writes nothing more.
 *
 * @param state the job's state when it was claimed
 * @param resumeInput where the input of the step to run next was kept, for a job that was interrupted; null if none
 */
public record Claim(Job job, JobState state, String instance, long epoch, String resumeInput) {
    public String jobId() {
        return job.id();
    }
}
