package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.StepRecord;
import java.time.Instant;

/**
 * One step in {@code GET /jobs/{id}}: its {@code state} is {@code pending}, {@code running}, {@code complete},
 * {@code error}, {@code cancelled} or {@code skipped}; {@code exitCode}, the times and {@code error} are null until
 * known (and left out then), {@code name} when the job gave none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"index", "name", "source", "state", "exitCode", "startedAt", "finishedAt", "error"})
public record StepStatusRepresentation(
        int index,
        String name,
        String source,
        String state,
        Integer exitCode,
        Instant startedAt,
        Instant finishedAt,
        String error) {

    static StepStatusRepresentation of(StepRecord step) {
        return new StepStatusRepresentation(step.index(), step.name(), step.source(), step.status().shown(),
                step.exitCode(), step.startedAt(), step.finishedAt(), step.error());
    }
}
