package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.JobState;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /jobs/{id}}: the original's {@code id}, {@code stepsCompleted} and {@code status} (plus {@code queued}
 * and {@code cancelled}), why a job failed or was cancelled, when it was created, started and finished, and each
 * step's state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "stepsCompleted", "status", "error", "createdAt", "startedAt", "finishedAt", "steps"})
public record JobStatusRepresentation(
        String id,
        int stepsCompleted,
        String status,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        List<StepStatusRepresentation> steps) {

    static JobStatusRepresentation of(JobState state) {
        return new JobStatusRepresentation(
                state.id(),
                state.stepsCompleted(),
                state.status().value(),
                state.error(),
                state.createdAt(),
                state.startedAt(),
                state.finishedAt(),
                state.steps().stream().map(StepStatusRepresentation::of).toList());
    }
}
