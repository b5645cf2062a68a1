package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.api.RequestLimits.InvalidRequestException;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * A step as users write it, and as the API echoes it back (each field as it was written). The original's fields;
 * {@code networkMode}, {@code memory} (an integer number of bytes, or e.g. {@code "512m"}), {@code cpuShares} and
 * {@code timeout} (integer seconds) as the original's production fork (particle-iot/dray) took them, where 0 or an
 * empty string means unset, as there; and Dray's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StepRepresentation(
        String name,
        @NotBlank String source,
        @Valid List<@NotNull @Valid EnvVarRepresentation> environment,
        @Pattern(regexp = "stdout|stderr|/.+", message = "must be \"stdout\", \"stderr\" or an absolute file path")
        String output,
        Boolean refresh,
        String beginDelimiter,
        String endDelimiter,
        @Schema(description = "seconds, or a duration such as \"90s\", \"15m\"; 0 for none",
                oneOf = {BigDecimal.class, String.class})
        DurationValue timeout,
        @Schema(description = "bytes, or e.g. \"512m\"; 0 or \"\" for none", oneOf = {Long.class, String.class})
        Object memory,
        @DecimalMin(value = "0.01", message = "must be at least 0.01") Double cpus,
        Number cpuShares,
        String networkMode,
        List<@NotNull String> command,
        List<@NotNull String> entrypoint,
        @Pattern(regexp = "/.*", message = "must be an absolute path") String workingDir,
        String user,
        Number retries,
        @Schema(description = "seconds, or a duration such as \"90s\", \"15m\"; 0 for none",
                oneOf = {BigDecimal.class, String.class})
        DurationValue retryDelay) {

    /** Docker refuses a smaller memory limit. */
    static final long MIN_MEMORY_BYTES = 6L << 20;
    /** Docker's range of CPU shares. */
    static final long MIN_CPU_SHARES = 2;
    static final long MAX_CPU_SHARES = 262_144;
    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("([0-9]+)([bkmg]?)");

    /** A step as Dray keeps it: sizes in bytes, durations in seconds, and only what was set. */
    static StepRepresentation of(Step step) {
        return new StepRepresentation(step.name(), step.source(),
                step.environment().isEmpty() ? null : step.environment().stream().map(EnvVarRepresentation::of).toList(),
                step.output().value(), step.refresh() ? true : null, step.beginDelimiter(), step.endDelimiter(),
                DurationValue.inSeconds(step.timeout()), step.memoryBytes(), step.cpus(), step.cpuShares(),
                step.networkMode(), step.command(), step.entrypoint(), step.workingDir(), step.user(),
                step.retries() == 0 ? null : step.retries(), DurationValue.inSeconds(step.retryDelay()));
    }

    StepRepresentation masked() {
        return new StepRepresentation(name, source, EnvVarRepresentation.masked(environment), output, refresh,
                beginDelimiter, endDelimiter, timeout, memory, cpus, cpuShares, networkMode, command, entrypoint,
                workingDir, user, retries, retryDelay);
    }

    /** The network mode asked for; null when the step leaves the engine's ("" or Docker's name for it, "default"). */
    String requestedNetworkMode() {
        return networkMode == null || networkMode.isEmpty() || networkMode.equals("default") ? null : networkMode;
    }

    /**
     * The step as the engine takes it.
     *
     * @param field how messages name this step, e.g. {@code steps[0]}
     * @throws InvalidRequestException naming the field of a value out of range
     */
    Step toStep(String field) {
        return new Step(
                name,
                source,
                environment == null ? List.of() : environment.stream().map(EnvVarRepresentation::toEnvVar).toList(),
                OutputChannel.parse(output),
                Boolean.TRUE.equals(refresh),
                beginDelimiter,
                endDelimiter,
                timeout == null ? null : timeout.orNoneIfZero(),
                memoryBytes(field + ".memory"),
                cpus,
                cpuShares(field + ".cpuShares"),
                requestedNetworkMode(),
                command,
                entrypoint,
                workingDir,
                user == null || user.isEmpty() ? null : user,
                retryCount(field + ".retries"),
                retryDelay == null ? null : retryDelay.duration());
    }

    /** The retries asked for, 0 for none. */
    int retryCount(String field) {
        Long count = wholeNumber(field, retries);
        if (count == null) {
            return 0;
        }
        if (count < 0 || count > Integer.MAX_VALUE) {
            throw new InvalidRequestException(field + " must be 0 or more, and at most " + Integer.MAX_VALUE);
        }
        return count.intValue();
    }

    private Long memoryBytes(String field) {
        Long bytes;
        if (memory == null) {
            return null;
        } else if (memory instanceof Number number) {
            bytes = wholeNumber(field, number);
        } else if (memory instanceof String text) {
            bytes = size(field, text);
        } else {
            throw new InvalidRequestException(field + " must be a number of bytes, or e.g. \"512m\"");
        }
        if (bytes == 0) {
            return null; // the fork's "no limit"
        }
        if (bytes < MIN_MEMORY_BYTES) {
            throw new InvalidRequestException(field + " must be at least " + MIN_MEMORY_BYTES + " bytes (6m), or 0 for none");
        }
        return bytes;
    }

    private Long cpuShares(String field) {
        Long shares = wholeNumber(field, cpuShares);
        if (shares == null || shares == 0) {
            return null; // the fork's "the engine's default"
        }
        if (shares < MIN_CPU_SHARES || shares > MAX_CPU_SHARES) {
            throw new InvalidRequestException(field + " must be from " + MIN_CPU_SHARES + " to " + MAX_CPU_SHARES
                    + ", or 0 for the default");
        }
        return shares;
    }

    /** Docker's way to write sizes: a number with an optional unit (b, k, m or g), 1024-based. */
    private static long size(String field, String text) {
        java.util.regex.Matcher match = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!match.matches()) {
            throw new InvalidRequestException(field + " must be a number of bytes, optionally with b, k, m or g, e.g. 512m");
        }
        int shift = switch (match.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        BigInteger bytes = new BigInteger(match.group(1)).shiftLeft(shift);
        if (bytes.bitLength() > 62) {
            throw new InvalidRequestException(field + " is too large: " + text);
        }
        return bytes.longValue();
    }

    /** A JSON number that must be whole and fit a long; null if absent. */
    private static Long wholeNumber(String field, Number number) {
        if (number == null) {
            return null;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number.toString());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field + " must be a whole number, not " + number);
        }
        if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
            throw new InvalidRequestException(field + " must be a whole number, not " + number);
        }
        try {
            return value.toBigIntegerExact().longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidRequestException(field + " is too large: " + number);
        }
    }
}
