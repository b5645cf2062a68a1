package io.dray.core;

import java.util.Set;

/** Runs steps in containers. The core's only view of containers. */
public interface StepRunner extends StepLifecycle.Stopper {

    /**
     * Runs one attempt of the step: pulls its image if needed, creates its container, starts it, feeds it its input,
     * sends its stdout and stderr to {@code run.log()}, and waits for its exit. Tells {@code run.lifecycle()} of each
     * phase and obeys it: creates nothing, or starts nothing, once a stop was asked for. Returns once the container
     * has exited (or was never started), and leaves nothing behind but what is being removed in the background.
     *
     * @throws StepFailedException if the step could not run at all
     */
    StepOutcome run(StepRun run) throws StepFailedException;

    /** Removes what could not be removed when its step ended (the engine was down then). */
    void retryCleanUp();

    /** Removes what a dead instance left running (it can no longer do it itself). */
    void removeContainersOf(String instance);

    /** Removes what instances left that are not in {@code liveInstances}: those that crashed, on this engine. */
    void removeContainersExceptOf(Set<String> liveInstances);
}
