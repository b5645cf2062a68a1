package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/** A step as users write it, and as the API echoes it back. */
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
        String endDelimiter) {

    Step toStep() {
        return new Step(
                name,
                source,
                environment == null ? List.of() : environment.stream().map(EnvVarRepresentation::toEnvVar).toList(),
                OutputChannel.parse(output),
                Boolean.TRUE.equals(refresh),
                beginDelimiter,
                endDelimiter);
    }
}
