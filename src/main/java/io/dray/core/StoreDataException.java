package io.dray.core;

/**
 * The store answered, but what it holds or was asked to do is wrong (a stored job that cannot be read, a script that
 * failed): asking again would fail again, so the job fails with this message instead of waiting for the store.
 */
public class StoreDataException extends RuntimeException {
    public StoreDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
