package io.dray.core;

/** A step could not run at all (its image cannot be had, Docker refused the container...). */
public class StepFailedException extends Exception {
    public StepFailedException(String message) {
        super(message);
    }

    public StepFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
