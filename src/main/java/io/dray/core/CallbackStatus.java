package io.dray.core;

/**
 * How the delivery of a job's callback stands: {@code waiting} (the job has not ended), {@code pending} (due, or
 * to be tried again), {@code delivered} (a 2xx answer), or {@code failed} (Dray gave up); the attempts made so far;
 * and the last attempt's error, if it failed.
 */
public record CallbackStatus(String state, int attempts, String lastError) {
    public static final String WAITING = "waiting";
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
}
