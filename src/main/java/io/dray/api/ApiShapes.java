package io.dray.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The shapes of the bodies Dray reads or writes by hand, for the OpenAPI document: swagger-core sees a multipart part,
 * a {@code Response} or a stream there ({@link LogOutput}, {@link StreamFormat}), not what it carries.
 */
final class ApiShapes {
    private ApiShapes() {}

    @Schema(name = "Error", description = "Every error's answer: its HTTP status and what is wrong")
    record Error(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int code,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String message) {}

    @Schema(name = "JobWithInput", description = "A job and its input as `multipart/form-data`")
    record JobWithInput(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) JobRepresentation job,
            @Schema(type = "string", format = "binary", description = "the bytes the first step reads on its stdin")
            String input) {}

    @Schema(name = "Log", description = "A job's log from `index` on. `next` is there only with `limit`.")
    record Log(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<String> lines,
            @Schema(nullable = true, description = "the index to ask from next; null once the job has ended and"
                    + " nothing is left") Long next) {}

    @Schema(name = "LogLine", description = "One line of a followed log as NDJSON; the last line of the stream is"
            + " `{\"end\": true, \"status\": {...}}`, the job's status as `GET /jobs/{id}` answers it.")
    record NdjsonLogLine(Long index, String line, Boolean end, JobStatusRepresentation status) {}
}
