package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.api.RequestLimits.InvalidRequestException;
import io.dray.core.Callback;
import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobRequest;
import io.dray.core.Step;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A job as {@code POST /jobs} takes it, and as it answers: the same description with the {@code id} Dray gave it. The id
 * of a request is ignored. {@code input} is base64, as the original's production fork took it: the bytes the first
 * step reads on its stdin.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"id", "name", "environment", "steps", "timeout", "ttl", "input", "inputBytes", "callback"})
public record JobRepresentation(
        String id,
        String name,
        @Valid List<@NotNull @Valid EnvVarRepresentation> environment,
        @NotEmpty @Valid List<@NotNull @Valid StepRepresentation> steps,
        @Schema(description = "seconds, or a duration such as \"90s\", \"15m\"; 0 for none",
                oneOf = {BigDecimal.class, String.class})
        DurationValue timeout,
        @Schema(description = "seconds, or a duration such as \"90s\", \"15m\"; 0 for none",
                oneOf = {BigDecimal.class, String.class})
        DurationValue ttl,
        String input,
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        @Schema(accessMode = Schema.AccessMode.READ_ONLY, description = "in a job's definition: how many bytes of"
                + " input its first step reads (the bytes themselves are not kept once that step succeeded)")
        Long inputBytes,
        @Valid CallbackRepresentation callback) {

    /** A job as Dray keeps it ({@code GET /jobs/{id}/definition}), as masked as the job it is given. */
    static JobRepresentation of(Job job) {
        return new JobRepresentation(job.id(), job.name(),
                job.environment().isEmpty() ? null : job.environment().stream().map(EnvVarRepresentation::of).toList(),
                job.steps().stream().map(StepRepresentation::of).toList(), DurationValue.inSeconds(job.timeout()),
                DurationValue.inSeconds(job.ttl()), null, job.inputBytes(), CallbackRepresentation.of(job.callback()));
    }

    List<EnvVar> toEnvironment() {
        return environment == null ? List.of() : environment.stream().map(EnvVarRepresentation::toEnvVar).toList();
    }

    /** @throws InvalidRequestException naming a step's field whose value is out of range */
    List<Step> toSteps() {
        return IntStream.range(0, steps.size()).mapToObj(i -> steps.get(i).toStep("steps[" + i + "]")).toList();
    }

    /**
     * The bytes of {@code input}, null for none (absent or empty, as the fork took it). Line breaks are ignored, as the
     * fork's decoder did; anything else that is not base64 is refused.
     *
     * @throws InvalidRequestException if it is not base64
     */
    byte[] decodedInput() {
        if (input == null || input.isEmpty()) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(input.replace("\r", "").replace("\n", ""));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("input is not valid base64: " + e.getMessage());
        }
    }

    /** The answer to a submission: this job with its id, secrets masked. */
    JobRepresentation echoWithId(String id) {
        return new JobRepresentation(id, name, EnvVarRepresentation.masked(environment),
                steps.stream().map(StepRepresentation::masked).toList(), timeout, ttl, input, null,
                callback == null ? null : callback.masked());
    }

    /**
     * The job as the engine takes it.
     *
     * @param defaultCallback the callback of a job that sets none (null for none)
     * @throws InvalidRequestException naming a field whose value is out of range
     */
    JobRequest toRequest(Callback defaultCallback) {
        return new JobRequest(name, toEnvironment(), toSteps(), toTimeout(), toTtl(),
                callback == null ? defaultCallback : new Callback(callbackUrl(), callback.secret()));
    }

    /** @throws InvalidRequestException if the callback's URL is not one */
    URI callbackUrl() {
        try {
            return new URI(callback.url());
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("callback.url is not a URL: " + e.getMessage());
        }
    }

    Duration toTimeout() {
        return timeout == null ? null : timeout.orNoneIfZero();
    }

    Duration toTtl() {
        return ttl == null ? null : ttl.orNoneIfZero();
    }
}
