package io.dray.core;

/**
 * How a step ended: its container's exit code, whether the kernel killed it for using more memory than its limit,
 * and, when asked for, the data it passes on (to be closed by the caller).
 */
public record StepOutcome(int exitCode, boolean outOfMemory, StepData output) {
    public boolean succeeded() {
        return exitCode == 0 && !outOfMemory;
    }
}
