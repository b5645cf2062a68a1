package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dray.core.StepRecord;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * One step in {@code GET /jobs/{id}}: its {@code state} is {@code pending}, {@code running}, {@code complete},
 * {@code error}, {@code cancelled} or {@code skipped}; {@code exitCode}, the times and {@code error} are left out
 * until known, {@code name} when the job gave none. {@code attempt} counts the times it began (0: never),
 * {@code stdout} and {@code stderr} what its latest attempt wrote, {@code bytesPassed} what it handed to the next step.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"index", "name", "source", "state", "exitCode", "startedAt", "finishedAt", "error", "attempt",
        "stdout", "stderr", "bytesPassed"})
public record StepStatusRepresentation(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int index,
        String name,
        String source,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"pending", "running", "complete",
                "error", "cancelled", "skipped"}) String state,
        Integer exitCode,
        Instant startedAt,
        Instant finishedAt,
        String error,
        int attempt,
        Output stdout,
        Output stderr,
        long bytesPassed) {

    /** What one stream of a step carried: bytes, and lines (a last line without a newline counts). */
    public record Output(long bytes, long lines) {}

    static StepStatusRepresentation of(StepRecord step) {
        return new StepStatusRepresentation(step.index(), step.name(), step.source(), step.status().shown(),
                step.exitCode(), step.startedAt(), step.finishedAt(), step.error(), step.attempt(),
                new Output(step.stdout().bytes(), step.stdout().lines()),
                new Output(step.stderr().bytes(), step.stderr().lines()),
                step.bytesPassed());
    }
}
