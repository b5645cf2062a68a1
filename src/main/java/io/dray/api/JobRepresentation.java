package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.EnvVar;
import io.dray.core.Step;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * A job as {@code POST /jobs} takes it, and as it answers: the same description with the {@code id} Dray gave it. The id
 * of a request is ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"id", "name", "environment", "steps", "timeout", "ttl"})
public record JobRepresentation(
        String id,
        String name,
        @Valid List<@NotNull @Valid EnvVarRepresentation> environment,
        @NotEmpty @Valid List<@NotNull @Valid StepRepresentation> steps,
        DurationValue timeout,
        DurationValue ttl) {

    List<EnvVar> toEnvironment() {
        return environment == null ? List.of() : environment.stream().map(EnvVarRepresentation::toEnvVar).toList();
    }

    List<Step> toSteps() {
        return steps.stream().map(StepRepresentation::toStep).toList();
    }

    /** The answer to a submission: this job with its id, secrets masked. */
    JobRepresentation echoWithId(String id) {
        return new JobRepresentation(id, name, EnvVarRepresentation.masked(environment),
                steps.stream().map(StepRepresentation::masked).toList(), timeout, ttl);
    }

    java.time.Duration toTimeout() {
        return timeout == null ? null : timeout.duration();
    }

    java.time.Duration toTtl() {
        return ttl == null ? null : ttl.duration();
    }
}
