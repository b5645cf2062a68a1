package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.JobSummary;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One job of {@code GET /jobs}: the original's {@code {"id"}}, and more for clients that read on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "name", "status", "createdAt", "finishedAt"})
public record JobSummaryRepresentation(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String id,
        String name,
        @Schema(allowableValues = {"queued", "running", "complete", "error", "cancelled"}) String status,
        Instant createdAt,
        Instant finishedAt) {

    static JobSummaryRepresentation of(JobSummary job) {
        return new JobSummaryRepresentation(job.id(), job.name(), job.status() == null ? null : job.status().value(),
                job.createdAt(), job.finishedAt());
    }
}
