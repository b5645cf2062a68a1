package io.dray.core;

/**
 * Told of every change of a job's state that this instance writes to the store, once the write has succeeded: the
 * one place where metrics learn what jobs and steps did. Changes written by other instances are theirs to tell, so
 * that counts summed over instances count each change once.
 */
public interface JobObserver {

    /**
     * Called on the thread that wrote, right after the write: it must only count, never wait or throw.
     *
     * @param before the state the change was computed from, null for a new job
     * @param after the state written
     */
    void changed(JobState before, JobState after);
}
