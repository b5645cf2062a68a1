package io.dray.core;

/** The job store cannot be reached or failed; nothing was written. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
