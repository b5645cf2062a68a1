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
}
