package io.dray.core;

import java.util.Locale;

/** How the delivery of a job's callback stands: its state, the attempts made so far, and the last one's error. */
public record CallbackStatus(State state, int attempts, String lastError) {

    public enum State {
        /** The job has not ended. */
        WAITING,
        /** Due, or to be tried again. */
        PENDING,
        /** A 2xx answer came. */
        DELIVERED,
        /** Dray gave up: too many attempts, or too long after the job's end. */
        FAILED;

        /** As the store and the API spell it: {@code waiting}, {@code pending}... */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State of(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
