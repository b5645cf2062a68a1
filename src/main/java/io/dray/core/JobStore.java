package io.dray.core;

import java.util.List;
import java.util.Optional;

/**
 * Where jobs, their states and their logs are kept. Implementations throw {@link StoreUnavailableException} when the
 * store cannot be reached, and never leave a job half-written.
 */
public interface JobStore {

    /** Persists a new job and its first state in one step. */
    void create(Job job, JobState state);

    Optional<Job> findJob(String id);

    Optional<JobState> findState(String id);

    /** Every job's id, oldest first. */
    List<String> listIds();

    /** Saves a state of a job that exists; returns false, writing nothing, if the job was deleted meanwhile. */
    boolean saveState(JobState state);

    /** Appends lines to a job's log in one round trip; returns false, writing nothing, if the job was deleted. */
    boolean appendLog(String id, List<String> lines);

    /** The log lines from {@code fromIndex} on, or empty if there is no such job. */
    Optional<List<String>> readLog(String id, long fromIndex);

    /** Removes everything kept for the job; returns false if there was no such job. */
    boolean delete(String id);
}
