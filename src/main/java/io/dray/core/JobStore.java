package io.dray.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where jobs, their states, their logs and the queue of waiting jobs are kept, shared by every Dray instance.
 * Implementations throw {@link StoreUnavailableException} when the store cannot be reached, and never leave a job
 * half-written. Writes by a job's owner are fenced by its {@link Claim}: once the claim no longer holds they write
 * nothing and return false.
 */
public interface JobStore {

    /** Persists a new job at the back of the queue; returns false, writing nothing, if {@code maxQueued} already wait. */
    boolean enqueue(Job job, JobState state, int maxQueued);

    Optional<JobState> findState(String id);

    /** Every job's id, oldest first. */
    List<String> listIds();

    long queueLength();

    /** Waits up to {@code wait} for the job at the front of the queue and makes {@code instance} its owner. */
    Optional<Claim> claimNext(String instance, Duration wait);

    /** Saves the owner's new state of its job; a final state also ends the claim. */
    boolean saveState(JobState state, Claim claim);

    /**
     * Records that the owner starts step {@code index}, whose input is kept at {@code inputPath} (null for none), and
     * how many log lines the job had then: if the job is taken over, the step's partial lines are dropped.
     */
    boolean stepStarting(Claim claim, int index, String inputPath);

    boolean appendLog(Claim claim, List<String> lines);

    /** Gives the job back to the front of the queue, for any instance to resume. */
    boolean requeue(Claim claim);

    /** A transition the API makes (a cancel): applied only if the job's status is still {@code from}. */
    boolean transition(JobStatus from, JobState to);

    /** The jobs among these claims whose claim no longer holds: deleted, cancelled, or taken over. */
    Set<String> lostClaims(Collection<Claim> claims);

    /** The jobs among these that have ended (a final status) or no longer exist. */
    Set<String> endedJobs(Collection<String> ids);

    /** At most {@code maxLines} log lines from {@code fromIndex} on, or empty if there is no such job. */
    Optional<List<String>> readLog(String id, long fromIndex, int maxLines);

    /** Removes everything kept for the job; returns false if there was no such job. */
    boolean delete(String id);

    /** Says that {@code instance} is alive for {@code leaseTime}. */
    void heartbeat(String instance, Duration leaseTime);

    /** An instance that stops on purpose: it owns nothing any more. */
    void retire(String instance);

    /** Registered instances whose heartbeat is current. */
    Set<String> liveInstances();

    /** Registered instances whose heartbeat has expired. */
    Set<String> deadInstances();

    /** Puts the jobs a dead instance owned back at the front of the queue, forgets the instance; returns their ids. */
    List<String> requeueJobsOf(String deadInstance);
}
