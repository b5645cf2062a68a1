package io.dray.core;

/** How a step ended: its container's exit code and, when asked for, the data it passes on (to be closed by the caller). */
public record StepOutcome(int exitCode, StepData output) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
