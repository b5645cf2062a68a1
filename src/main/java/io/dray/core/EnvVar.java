package io.dray.core;

import static java.util.Objects.requireNonNull;

/** One environment variable given to a step's container. */
public record EnvVar(String variable, String value) {
    public EnvVar {
        requireNonNull(variable, "variable");
        requireNonNull(value, "value");
    }
}
