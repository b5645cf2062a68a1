package io.dray.core;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where jobs and their states are kept, shared by every Dray instance. A state is saved only over the exact version it
 * was computed from, so no transition undoes another; an owner's writes are also fenced by its {@link Claim}: once the
 * claim no longer holds (the job ended, was deleted, or was taken over) they write nothing. Implementations throw
 * {@link StoreUnavailableException} when the store cannot be reached (try again later) and {@link StoreDataException}
 * when it answered with an error (do not), and never leave a job half-written.
 */
public interface JobStore {
    java.time.Duration KEPT_FOR_CALLBACK = java.time.Duration.ofMinutes(1);

    Optional<JobState> find(String id);

    /** The job as submitted, every secret value {@link EnvVar#MASK}ed (the store never decrypts one for this). */
    Optional<Job> definition(String id);

    /** Looks at up to {@code maxScanned} jobs in the query's order, and keeps those it asks for. */
    JobListPage list(JobQuery query, int maxScanned);

    /** The jobs among these that have ended (a final status) or no longer exist. */
    Set<String> endedJobs(Collection<String> ids);

    /**
     * Saves {@code next} if the stored state is still {@code current} (its version) and, for an owner's write,
     * {@code claim} still holds. A final state also takes the job out of the queue and ends the claim.
     *
     * @param claim the owner's claim, or null for a change made through the API (a cancel)
     * @return the saved state (at its new version), or empty if nothing was saved
     */
    Optional<JobState> save(JobState current, JobState next, Claim claim);

    /**
     * Saves, as {@link #save} does, and remembers in the same write where the job would resume: at step
     * {@code nextStep}, on the input kept at {@code inputPath} (null for none); and, the first time, that the step's
     * lines begin where the log ends now. If the job is taken over, that step begins again on that input. The owner
     * saves this way when the job starts and each time a step succeeded, so that a job is never without it.
     */
    Optional<JobState> saveWithResumePoint(JobState current, JobState next, Claim claim, int nextStep, String inputPath);

    /**
     * Removes everything kept for the job, and tells so once: returns false if there was no such job (another instance
     * deleted it first).
     */
    boolean delete(String id);

    /**
     * Up to {@code max} ended jobs whose retention (their own {@code ttl}, or the store's) ran out by {@code now},
     * those due first. A job whose callback is still to be delivered is not among them: it is kept
     * {@link #KEPT_FOR_CALLBACK} longer, again and again until the callback is delivered or given up.
     */
    List<String> expired(Instant now, int max);

    /**
     * Sets when each ended job is to be deleted, by the retention configured now (its own {@code ttl}, or the
     * store's): jobs that ended before a retention was set, or changed, are kept that long too.
     */
    void scheduleExpiries();
}
