package io.dray.core;

/**
 * What one attempt of a step produced, as far as it got: its exit code (null if its container never ran), the image its
 * container was created from (null if unknown), what it wrote, and how many bytes it passed on to the next step.
 */
public record StepResult(Integer exitCode, String imageId, StepRecord.Output stdout, StepRecord.Output stderr,
        long bytesPassed) {

    public static final StepResult NONE = new StepResult(null, null, StepRecord.Output.NONE, StepRecord.Output.NONE, 0);

    public StepResult withBytesPassed(long bytes) {
        return new StepResult(exitCode, imageId, stdout, stderr, bytes);
    }
}
