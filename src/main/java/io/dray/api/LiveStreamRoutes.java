package io.dray.api;

import io.dray.core.JobEvent;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /events} as the OpenAPI document describes it. {@link LiveStreamFilter} serves it before Jersey (see why
 * there), so no resource method answers it: this interface is only read by swagger-core, and nothing implements it.
 * A log's follow shares its route with {@link JobResource#log}, and is described there.
 */
@Path("/events")
@Tag(name = "jobs")
@SecurityRequirement(name = OpenApiDocument.TOKEN)
interface LiveStreamRoutes {

    @GET
    @Operation(summary = "Follow every job's and step's state changes", description = "A live stream, from every"
            + " instance, of what happens while the client listens: SSE events named after the event's `type`, with"
            + " the event's `id` as SSE `id` and the event as `data`, or one event per NDJSON line; a keep-alive (an"
            + " SSE comment, an empty NDJSON line) at once and every 15 s. A client that resumes after an event"
            + " (`Last-Event-ID`, which an EventSource sends when it reconnects, or `after`) first gets the events it"
            + " missed, from the last 10,000 or so kept; if they are not all kept, a `reset` (SSE `event: reset`, or"
            + " the NDJSON line `{\"reset\": true, \"message\"}`) says to read the jobs' state again, and the stream"
            + " goes on from now.", responses = {
                    @ApiResponse(responseCode = "200", description = "The stream of events", content = {
                            @Content(mediaType = "text/event-stream", schema = @Schema(type = "string",
                                    description = "Server-Sent Events, `event: <type>`, `data: <JobEvent>`")),
                            @Content(mediaType = "application/x-ndjson",
                                    schema = @Schema(implementation = JobEvent.class))}),
                    @ApiResponse(responseCode = "401", description = "API tokens are configured, and the request has"
                            + " none or a wrong one", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "400", description = "`Last-Event-ID` or `after` is not an event's id",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                    schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "406", description = "No `Accept: text/event-stream` or"
                            + " `application/x-ndjson`", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ApiShapes.Error.class)))})
    void events(
            @Parameter(description = "keeps one job's events") @QueryParam("job") String job,
            @Parameter(description = "resumes after this event (its `id`)", schema = @Schema(type = "string",
                    pattern = "^[0-9]{1,18}-[0-9]{1,18}$", example = "1764460800000-0")) @QueryParam("after") String after,
            @Parameter(description = "as `after`, as an EventSource sends it; wins over `after`", schema = @Schema(
                    type = "string", pattern = "^[0-9]{1,18}-[0-9]{1,18}$")) @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "the API token, for clients that cannot send headers (a browser's EventSource)")
            @QueryParam("access_token") String accessToken);
}
