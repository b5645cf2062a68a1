package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One container of a job. {@code beginDelimiter}/{@code endDelimiter}, when both are set, narrow the data passed on to
 * the lines strictly between those two marker lines (as the original Dray's code did). {@code timeout},
 * {@code memoryBytes} and {@code cpus} are null where the engine's defaults apply.
 */
public record Step(
        String name,
        String source,
        List<EnvVar> environment,
        OutputChannel output,
        boolean refresh,
        String beginDelimiter,
        String endDelimiter,
        Duration timeout,
        Long memoryBytes,
        Double cpus) {

    public Step {
        requireNonNull(source, "source");
        environment = environment == null ? List.of() : List.copyOf(environment);
        output = output == null ? OutputChannel.STDOUT : output;
    }

    public Step(String name, String source, List<EnvVar> environment, OutputChannel output, boolean refresh,
            String beginDelimiter, String endDelimiter) {
        this(name, source, environment, output, refresh, beginDelimiter, endDelimiter, null, null, null);
    }

    public boolean passesOnlyDelimitedLines() {
        return beginDelimiter != null && endDelimiter != null;
    }
}
