package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.EnvVar;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * {@code {"variable": ..., "value": ..., "secret": true}} in a job or a step. A secret's value is masked when the API
 * answers, and in {@link #toString()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record EnvVarRepresentation(
        @NotEmpty @Pattern(regexp = "[^=\\x00]+", message = "must not contain '=' or NUL") String variable,
        @NotNull @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL") String value,
        Boolean secret) {

    EnvVar toEnvVar() {
        return new EnvVar(variable, value, Boolean.TRUE.equals(secret));
    }

    static EnvVarRepresentation of(EnvVar variable) {
        return new EnvVarRepresentation(variable.variable(), variable.value(), variable.secret() ? true : null);
    }

    /** As the API answers it: a secret's value replaced by the mask. */
    EnvVarRepresentation masked() {
        return Boolean.TRUE.equals(secret) ? new EnvVarRepresentation(variable, EnvVar.MASK, true) : this;
    }

    static List<EnvVarRepresentation> masked(List<EnvVarRepresentation> variables) {
        return variables == null ? null : variables.stream().map(EnvVarRepresentation::masked).toList();
    }

    @Override
    public String toString() {
        return toEnvVar().toString();
    }
}
