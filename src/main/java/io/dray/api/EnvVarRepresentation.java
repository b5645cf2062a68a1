package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.EnvVar;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code {"variable": ..., "value": ...}} in a job or a step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record EnvVarRepresentation(
        @NotEmpty @Pattern(regexp = "[^=\\x00]+", message = "must not contain '=' or NUL") String variable,
        @NotNull @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL") String value) {

    EnvVar toEnvVar() {
        return new EnvVar(variable, value);
    }
}
