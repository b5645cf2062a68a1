package io.dray.core;

/**
 * How one attempt of a step ended: its container's exit code (null if a stop came before it started), whether the
 * kernel killed it for using more memory than its limit, the image it ran ({@code sha256:...}, null if unknown), what
 * it wrote to stdout and stderr, and, when asked for, the data it passes on (to be closed by the caller).
 */
public record StepOutcome(Integer exitCode, boolean outOfMemory, String imageId, StepRecord.Output stdout,
        StepRecord.Output stderr, StepData output) {

    /** An attempt stopped before its container started. */
    public static StepOutcome notStarted(String imageId) {
        return new StepOutcome(null, false, imageId, StepRecord.Output.NONE, StepRecord.Output.NONE, null);
    }

    public boolean started() {
        return exitCode != null;
    }

    public boolean succeeded() {
        return exitCode != null && exitCode == 0 && !outOfMemory;
    }

    public StepResult result(long bytesPassed) {
        return new StepResult(exitCode, imageId, stdout, stderr, bytesPassed);
    }
}
