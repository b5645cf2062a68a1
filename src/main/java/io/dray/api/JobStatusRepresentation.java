package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobState;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /jobs/{id}}: the original's {@code id}, {@code stepsCompleted} and {@code status} (plus {@code queued}
 * and {@code cancelled}); the job's {@code name}; why it failed or was cancelled; when it was created, started and
 * finished; {@code finishedIn}, its run time in seconds, as the particle-iot fork answered it; each step's state; and
 * how the delivery of its callback stands, if it has one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "name", "stepsCompleted", "status", "error", "createdAt", "startedAt", "finishedAt",
        "finishedIn", "steps", "callback"})
public record JobStatusRepresentation(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String id,
        String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int stepsCompleted,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = {"queued", "running", "complete", "error", "cancelled"}) String status,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        @Schema(description = "the run time in seconds") Double finishedIn,
        List<StepStatusRepresentation> steps,
        CallbackStatusRepresentation callback) {

    /** The body of a job's callback: its status as {@code GET /jobs/{id}} answers it, less the callback's own. */
    public static byte[] callbackBody(JobState state, ObjectMapper json) {
        try {
            return json.writeValueAsBytes(of(state.withCallback(null)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the status of job " + state.id(), e);
        }
    }

    static JobStatusRepresentation of(JobState state) {
        Duration runTime = state.runTime();
        return new JobStatusRepresentation(
                state.id(),
                state.name(),
                state.stepsCompleted(),
                state.status().value(),
                state.error(),
                state.createdAt(),
                state.startedAt(),
                state.finishedAt(),
                runTime == null ? null : runTime.toNanos() / 1e9,
                state.steps().stream().map(StepStatusRepresentation::of).toList(),
                CallbackStatusRepresentation.of(state.callback()));
    }
}
