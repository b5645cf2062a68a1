package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /jobs/{id}}: the original's {@code id}, {@code stepsCompleted} and {@code status} (plus {@code queued}
 * and {@code cancelled}); the job's {@code name}; why it failed or was cancelled; when it was created, started and
 * finished; {@code finishedIn}, its run time in seconds, as the particle-iot fork answered it; and each step's state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "name", "stepsCompleted", "status", "error", "createdAt", "startedAt", "finishedAt",
        "finishedIn", "steps"})
public record JobStatusRepresentation(
        String id,
        String name,
        int stepsCompleted,
        String status,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Double finishedIn,
        List<StepStatusRepresentation> steps) {

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
                state.steps().stream().map(StepStatusRepresentation::of).toList());
    }
}
