package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/** A step as users write it, and as the API echoes it back; {@code timeout}, {@code memory}, {@code cpus} are Dray's own. */
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
        DurationValue timeout,
        @Pattern(regexp = "[0-9]+[bkmgBKMG]?", message = "must be a number of bytes, optionally with b, k, m or g, e.g. 512m")
        String memory,
        @DecimalMin(value = "0.01", message = "must be at least 0.01") Double cpus) {

    StepRepresentation masked() {
        return new StepRepresentation(name, source, EnvVarRepresentation.masked(environment), output, refresh,
                beginDelimiter, endDelimiter, timeout, memory, cpus);
    }

    Step toStep() {
        return new Step(
                name,
                source,
                environment == null ? List.of() : environment.stream().map(EnvVarRepresentation::toEnvVar).toList(),
                OutputChannel.parse(output),
                Boolean.TRUE.equals(refresh),
                beginDelimiter,
                endDelimiter,
                timeout == null ? null : timeout.duration(),
                memory == null ? null : bytes(memory),
                cpus);
    }

    /** Docker's way to write sizes: a number with an optional unit, 1024-based. */
    private static long bytes(String memory) {
        char unit = Character.toLowerCase(memory.charAt(memory.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = Character.isDigit(unit) ? memory : memory.substring(0, memory.length() - 1);
        return Long.parseLong(digits) << shift;
    }
}
