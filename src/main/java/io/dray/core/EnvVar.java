package io.dray.core;

import static java.util.Objects.requireNonNull;

/**
 * One environment variable given to a step's container. A {@code secret} one reaches the container and nothing else:
 * it is masked in responses and log lines, encrypted in the store, and never printed, not even by {@link #toString()}.
 */
public record EnvVar(String variable, String value, boolean secret) {
    public static final String MASK = "****";

    public EnvVar {
        requireNonNull(variable, "variable");
        requireNonNull(value, "value");
    }

    public EnvVar(String variable, String value) {
        this(variable, value, false);
    }

    @Override
    public String toString() {
        return variable + "=" + (secret ? MASK : value);
    }
}
