package io.dray.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The jobs waiting to run, shared by every instance, and which instance owns each running job (its claim). A job is
 * claimed by one instance at a time; a claim ends when its job ends, is handed back, or is taken from an instance that
 * died.
 */
public interface JobQueue {

    /** Saves a new job and puts it at the back of the queue; returns false, saving nothing, if {@code maxQueued} wait. */
    boolean enqueue(Job job, JobState state, int maxQueued);

    long length();

    /**
     * Waits up to {@code wait} for a job at the front of the queue, and makes {@code instance} its owner in one atomic
     * step: the claim comes back with the job and its state, or nothing was claimed.
     */
    Optional<Claim> claimNext(String instance, Duration wait);

    /** Gives the owner's job back to the front of the queue as {@code requeued}, for any instance to resume. */
    boolean requeue(Claim claim, JobState current, JobState requeued);

    /** The claims among these that no longer hold: their job ended, was deleted, or was taken over. */
    List<Claim> lostClaims(Collection<Claim> claims);

    /** The ids of the jobs {@code instance} has claimed, in the order it claimed them. */
    List<String> claimedBy(String instance);

    /**
     * Forgets that the owner of a lost claim held it (its job ended or was taken elsewhere); unless the owner claimed
     * the job again since, which this check and the forgetting do in one step. A claim that still holds (the job names
     * it and has not ended) was taken for lost by mistake: a write that timed out while Redis stalled, applied when it
     * went on, makes the retried write look like another owner's. Its job is then queued again, not left running
     * with nobody running it.
     */
    void release(Claim claim);

    /**
     * Puts back at the front of the queue the jobs {@code instance} still owns among those it claimed and that
     * {@code which} selects, each as {@link JobState#requeued()} makes it; returns their ids. With every job selected
     * (an instance found dead, or one that retires), the instance's claims are forgotten too.
     */
    List<String> requeueJobsOf(String instance, Predicate<String> which);
}
