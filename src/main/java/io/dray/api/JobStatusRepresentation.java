package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.JobState;
import java.time.Instant;

/**
 * {@code GET /jobs/{id}}: the original's {@code id}, {@code stepsCompleted} and {@code status} (plus {@code queued}
 * and {@code cancelled}), why a job failed or was cancelled, and when it was created, started and finished.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "stepsCompleted", "status", "error", "createdAt", "startedAt", "finishedAt"})
public record JobStatusRepresentation(
        String id,
        int stepsCompleted,
        String status,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {

    static JobStatusRepresentation of(JobState state) {
        return new JobStatusRepresentation(
                state.id(),
                state.stepsCompleted(),
                state.status().value(),
                state.error(),
                state.createdAt(),
                state.startedAt(),
                state.finishedAt());
    }
}
