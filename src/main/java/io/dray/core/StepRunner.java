package io.dray.core;

/** Runs one step to its end. The core's only view of containers. */
public interface StepRunner {

    /**
     * Runs the step, sending both its stdout and stderr to {@code run.log()}; returns once the step has exited and
     * everything it started is gone.
     *
     * @throws StepFailedException if the step could not run at all
     */
    StepOutcome run(StepRun run) throws StepFailedException;

    /** Removes what could not be removed when its step ended (the engine was down then); called periodically. */
    void retryCleanUp();

    /** Removes what a dead instance left running (it can no longer do it itself). */
    void removeContainersOf(String instance);

    /**
     * Removes what instances left that are not in {@code liveInstances} (null when that is unknown: then nothing); at
     * start-up, for what an instance that crashed left behind.
     */
    void removeContainersExceptOf(java.util.Set<String> liveInstances);
}
