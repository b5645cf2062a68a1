package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One container of a job. {@code beginDelimiter}/{@code endDelimiter}, when both are set, narrow the data passed on to
 * the lines strictly between those two marker lines (as the original Dray's code did). Every other setting that is
 * null (or empty) leaves the image's or the engine's default: {@code timeout}, {@code memoryBytes}, {@code cpus},
 * {@code cpuShares} and {@code networkMode} the engine's; {@code command}, {@code entrypoint}, {@code workingDir} and
 * {@code user} the image's.
 *
 * @param retries how many times the step begins again after an attempt that exited non-zero or could not start
 * @param retryDelay the wait before the first retry, doubled before each next one; null for the engine's
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
        Double cpus,
        Long cpuShares,
        String networkMode,
        List<String> command,
        List<String> entrypoint,
        String workingDir,
        String user,
        int retries,
        Duration retryDelay) {

    public Step {
        requireNonNull(source, "source");
        environment = environment == null ? List.of() : List.copyOf(environment);
        output = output == null ? OutputChannel.STDOUT : output;
        command = command == null ? null : List.copyOf(command);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
    }

    public Step(String name, String source, List<EnvVar> environment, OutputChannel output, boolean refresh,
            String beginDelimiter, String endDelimiter, Duration timeout, Long memoryBytes, Double cpus) {
        this(name, source, environment, output, refresh, beginDelimiter, endDelimiter, timeout, memoryBytes, cpus,
                null, null, null, null, null, null, 0, null);
    }

    public Step(String name, String source, List<EnvVar> environment, OutputChannel output, boolean refresh,
            String beginDelimiter, String endDelimiter) {
        this(name, source, environment, output, refresh, beginDelimiter, endDelimiter, null, null, null);
    }

    public boolean passesOnlyDelimitedLines() {
        return beginDelimiter != null && endDelimiter != null;
    }

    /** This step with other environment variables (e.g. their secret values encrypted). */
    public Step withEnvironment(List<EnvVar> variables) {
        return new Step(name, source, variables, output, refresh, beginDelimiter, endDelimiter, timeout, memoryBytes,
                cpus, cpuShares, networkMode, command, entrypoint, workingDir, user, retries, retryDelay);
    }

    /** This step retried: up to {@code retries} more attempts, the first after {@code delay} (null: the engine's). */
    public Step withRetries(int retries, Duration delay) {
        return new Step(name, source, environment, output, refresh, beginDelimiter, endDelimiter, timeout, memoryBytes,
                cpus, cpuShares, networkMode, command, entrypoint, workingDir, user, retries, delay);
    }
}
