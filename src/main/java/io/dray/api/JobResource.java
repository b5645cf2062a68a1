package io.dray.api;

import com.codahale.metrics.annotation.Timed;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Callback;
import io.dray.core.Durations;
import io.dray.core.Job;
import io.dray.core.JobEngine;
import io.dray.core.JobListPage;
import io.dray.core.JobQuery;
import io.dray.core.JobStatus;
import io.dray.core.JobSummary;
import io.dray.core.LogFilter;
import io.dray.core.LogPage;
import io.dray.core.LogStream;
import io.dropwizard.jersey.params.LongParam;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Encoding;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.security.PermitAll;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.glassfish.jersey.media.multipart.FormDataBodyPart;
import org.glassfish.jersey.media.multipart.FormDataParam;

/** The original Dray's API. Also answers under {@code /v<version>/}, see {@link VersionPrefixFilter}. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
@Tag(name = "jobs")
@SecurityRequirement(name = OpenApiDocument.TOKEN)
@ApiResponse(responseCode = "401", description = "API tokens are configured, and the request has none or a wrong one",
        content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))
@ApiResponse(responseCode = "503", description = "Redis, the job store, cannot be reached",
        content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))
@ApiResponse(responseCode = "500", description = "The job store holds data Dray cannot read (logged in full)",
        content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))
public final class JobResource {
    /** Below Jetty's idle timeout (30 s), which would otherwise close a waiting request's connection. */
    static final Duration MAX_WAIT = Duration.ofSeconds(20);
    /** The largest log index asked for: beyond 2^53, Redis's scripts (Lua numbers) would round it. */
    static final long MAX_LOG_INDEX = 1L << 53;
    /** The largest page of jobs one request answers. */
    static final int MAX_PAGE_JOBS = 10_000;
    private final JobEngine engine;
    private final RequestLimits limits;
    private final int maxLogLines;
    private final Executor responses;
    private final ObjectMapper json;
    private final Validator validator;
    private final Callback defaultCallback;

    /**
     * @param maxLogLines the most lines one page of a log ({@code limit}) answers
     * @param responses writes the answers of waiting requests, off the engine's threads
     * @param validator checks the job of a multipart submission as Jersey checks a JSON one's
     * @param defaultCallback what a job that sets no callback gets: {@link Callback#configuredDefault()}, or null
     */
    public JobResource(JobEngine engine, RequestLimits limits, int maxLogLines, Executor responses, ObjectMapper json,
            Validator validator, Callback defaultCallback) {
        this.engine = engine;
        this.limits = limits;
        this.maxLogLines = maxLogLines;
        this.responses = responses;
        this.json = json;
        this.validator = validator;
        this.defaultCallback = defaultCallback;
    }

    @POST
    @Timed
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a job", description = "The job runs in the background; the answer echoes it with its"
            + " `id` (secrets masked) and a `Location` header. A job with a large input may also be sent as"
            + " `multipart/form-data`, with a `job` part (the job's JSON) and an `input` part (the first step's stdin).",
            requestBody = @RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = JobRepresentation.class)),
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
                            schema = @Schema(implementation = ApiShapes.JobWithInput.class),
                            encoding = {@Encoding(name = "job", contentType = MediaType.APPLICATION_JSON),
                                    @Encoding(name = "input", contentType = MediaType.APPLICATION_OCTET_STREAM)})}),
            responses = {
                    @ApiResponse(responseCode = "201", description = "Submitted", headers = @Header(name = "Location",
                            description = "the job's address", schema = @Schema(type = "string", format = "uri")),
                            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                    schema = @Schema(implementation = JobRepresentation.class))),
                    @ApiResponse(responseCode = "400", description = "The body is not JSON, or a field has the wrong"
                            + " type",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "403", description = "A step's image is not in"
                            + " `security.allowedImages`",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "413", description = "The body, or the multipart input, is larger"
                            + " than allowed",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "422", description = "The job is invalid (a missing or blank field, a"
                            + " value out of range, a duration that is not one or is over 366 days, `input` that is not"
                            + " base64): the message names every field at fault",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "429", description = "The queue is full (`engine.maxQueuedJobs`)",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public Response submit(@NotNull @Valid JobRepresentation request, @Context UriInfo uri) {
        limits.check(request);
        byte[] input = request.decodedInput();
        return submitted(request, input == null ? null : new ByteArrayInputStream(input), uri);
    }

    /**
     * A job with an input too large for JSON: a {@code job} part (the job's JSON) and an {@code input} part (the bytes
     * its first step reads), which Jersey's multipart keeps on disk past a small size, and Dray copies into the store in
     * chunks: the input's size costs no heap.
     */
    @POST
    @Timed
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true) // documented with submit: one operation, two request types
    public Response submitWithInput(@FormDataParam("job") FormDataBodyPart jobPart,
            @FormDataParam("input") FormDataBodyPart inputPart, @Context UriInfo uri) throws IOException {
        if (jobPart == null) {
            throw new RequestLimits.InvalidRequestException(
                    "job: a multipart submission needs a part named \"job\" with the job's JSON");
        }
        // The job's JSON is read whole into the heap: it is held to the size of a JSON submission. It is read before
        // it is parsed, as Jackson would wrap the stream's 413 into a mapping error.
        byte[] jobJson;
        try (InputStream body = new SizeLimitedStream(jobPart.getValueAs(InputStream.class), limits.maxJobBytes(),
                "the job part")) {
            jobJson = body.readAllBytes();
        }
        JobRepresentation request = new String(jobJson, java.nio.charset.StandardCharsets.UTF_8).isBlank()
                ? null : json.readValue(jobJson, JobRepresentation.class);
        if (request == null) {
            throw new RequestLimits.InvalidRequestException("job: the part is empty");
        }
        validate(request);
        limits.check(request);
        if (inputPart != null && request.decodedInput() != null) {
            throw new RequestLimits.InvalidRequestException("input: given both in the job and as a part; give it once");
        }
        if (inputPart == null) {
            byte[] input = request.decodedInput();
            return submitted(request, input == null ? null : new ByteArrayInputStream(input), uri);
        }
        try (InputStream input = new SizeLimitedStream(inputPart.getValueAs(InputStream.class), limits.maxInputBytes(),
                "the input part")) {
            return submitted(request, input, uri);
        }
    }

    private Response submitted(JobRepresentation request, InputStream input, UriInfo uri) {
        Job job;
        try {
            job = engine.submit(request.toRequest(defaultCallback), input);
        } catch (IOException e) {
            throw new WebApplicationException(ErrorMappers.error(Response.Status.BAD_REQUEST,
                    "cannot read the input: " + e.getMessage()));
        }
        return Response.created(uri.getAbsolutePathBuilder().path(job.id()).build())
                .entity(request.echoWithId(job.id()))
                .build();
    }

    /** Bean Validation of a job read by hand, with the messages a JSON submission gets. */
    private void validate(JobRepresentation request) {
        Set<ConstraintViolation<JobRepresentation>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new RequestLimits.InvalidRequestException(violations.stream()
                    .map(v -> (v.getPropertyPath() + " " + v.getMessage()).replace(".<list element>", ""))
                    .sorted()
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
    }

    /**
     * Every job, oldest first, as the original answered ({@code [{"id"}, ...]}, with more fields per job), streamed;
     * with filters, only the jobs they keep; with {@code limit}, a page and the next one's address in a {@code Link}
     * header, by a cursor that stays right while jobs come and go.
     */
    @GET
    @Timed
    @Operation(summary = "List jobs", description = "Every job kept, oldest first, streamed; with filters, the jobs"
            + " they keep; with `limit`, a page and a `Link: <...>; rel=\"next\"` header to the next one.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The jobs", headers = @Header(name = "Link",
                            description = "with `limit`: the next page, `<...>; rel=\"next\"`, while there may be more",
                            schema = @Schema(type = "string")),
                            content = @Content(mediaType = MediaType.APPLICATION_JSON, array = @ArraySchema(
                                    schema = @Schema(implementation = JobSummaryRepresentation.class)))),
                    @ApiResponse(responseCode = "400", description = "`since`, `until`, `limit` or `cursor` is not a"
                            + " time or a number",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "422", description = "A status, order or limit out of range",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public Response list(
            @Parameter(description = "keeps jobs in these states; repeatable", array = @ArraySchema(schema = @Schema(
                    allowableValues = {"queued", "running", "complete", "error", "cancelled"})))
            @QueryParam("status") List<String> statuses,
            @Parameter(description = "keeps jobs whose name begins with this") @QueryParam("name") String namePrefix,
            @Parameter(description = "keeps jobs created at or after this time (ISO-8601)",
                    schema = @Schema(type = "string", format = "date-time")) @QueryParam("since") String since,
            @Parameter(description = "keeps jobs created before this time (ISO-8601)",
                    schema = @Schema(type = "string", format = "date-time")) @QueryParam("until") String until,
            @Parameter(schema = @Schema(allowableValues = {"oldest", "newest"}))
            @QueryParam("order") @DefaultValue("oldest") @Pattern(regexp = "oldest|newest",
                    message = "must be oldest or newest") String order,
            @Parameter(description = "answers a page of at most this many jobs", schema = @Schema(type = "integer",
                    minimum = "1", maximum = "" + MAX_PAGE_JOBS)) @QueryParam("limit") String limitParam,
            @Parameter(description = "where a page begins: take it from the `Link` header",
                    schema = @Schema(type = "integer", format = "int64", minimum = "0"))
            @QueryParam("cursor") String cursorParam,
            @Context UriInfo uri) {
        Long limit = QueryNumbers.parse("limit", limitParam, 1, MAX_PAGE_JOBS);
        Long cursor = QueryNumbers.parse("cursor", cursorParam, 0, Long.MAX_VALUE);
        JobQuery query = new JobQuery(statuses(statuses), namePrefix, instant("since", since), instant("until", until),
                order.equals("newest"), cursor);
        if (limit == null) {
            JobListPage first = engine.jobs(query, JobListOutput.PAGE_JOBS);
            return Response.ok(new JobListOutput(engine, json, query, first), MediaType.APPLICATION_JSON_TYPE).build();
        }
        List<JobSummaryRepresentation> page = new ArrayList<>();
        JobListPage read = engine.jobs(query, JobListOutput.PAGE_JOBS);
        Long lastPosition = null;
        boolean more = false;
        while (true) {
            for (JobSummary job : read.jobs()) {
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(JobSummaryRepresentation.of(job));
                lastPosition = job.position();
            }
            if (page.size() == limit || read.next() == null) {
                break;
            }
            read = engine.jobs(query.after(read.next()), JobListOutput.PAGE_JOBS);
        }
        Response.ResponseBuilder answer = Response.ok(page);
        if (page.size() == limit && (more || read.next() != null)) {
            answer.link(uri.getRequestUriBuilder().replaceQueryParam("cursor", lastPosition).build(), "next");
        }
        return answer.build();
    }

    private static Set<JobStatus> statuses(List<String> values) {
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        for (String value : values) {
            try {
                statuses.add(JobStatus.of(value));
            } catch (IllegalArgumentException e) {
                throw new RequestLimits.InvalidRequestException("query param status must be one of queued, running,"
                        + " complete, error, cancelled, not " + value);
            }
        }
        return statuses;
    }

    private static Instant instant(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new WebApplicationException(ErrorMappers.error(Response.Status.BAD_REQUEST,
                    "query param " + name + " is not a time: write ISO-8601, e.g. 2026-01-01T00:00:00Z"));
        }
    }

    /**
     * The job's status; with {@code wait}, as soon as the job has ended, or after that long (at most {@link #MAX_WAIT})
     * with its status then: a client waits for a job in one request instead of polling.
     */
    @GET
    @Timed
    @Path("/{id}")
    @Operation(summary = "A job's status", description = "With `wait`, answered as soon as the job has ended, or"
            + " after the wait with its status then.", responses = {
                    @ApiResponse(responseCode = "200", description = "The job's status", content = @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = JobStatusRepresentation.class))),
                    @ApiResponse(responseCode = "400", description = "`wait` is not a duration",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "404", description = "No such job",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public void status(@PathParam("id") String id,
            @Parameter(description = "how long to wait for the job to end: seconds, or e.g. `500ms`, `20s`; at most"
                    + " 20 s", schema = @Schema(type = "string", example = "20s")) @QueryParam("wait") String wait,
            @Suspended AsyncResponse response) {
        if (wait == null) {
            response.resume(JobStatusRepresentation.of(engine.state(id)));
            return;
        }
        engine.stateWhenFinal(id, waitTime(wait)).whenCompleteAsync((state, error) -> {
            if (error != null) {
                response.resume(error); // not found, Redis down: rendered by ErrorMappers like any other
            } else {
                response.resume(JobStatusRepresentation.of(state));
            }
        }, responses);
    }

    private static Duration waitTime(String wait) {
        try {
            Duration asked = Durations.parse(wait);
            return asked.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : asked;
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(ErrorMappers.error(Response.Status.BAD_REQUEST, "wait: " + e.getMessage()));
        }
    }

    /**
     * The job as Dray keeps it, for a reader: what to run again, or what was run. The API's masking holds here too, and
     * the store does not even decrypt a secret for it.
     */
    @GET
    @Timed
    @Path("/{id}/definition")
    @Operation(summary = "A job's definition", description = "The job as it was submitted and as Dray keeps it:"
            + " secret values as `****`, sizes in bytes, durations in seconds, `inputBytes` instead of the input"
            + " itself, and the job's own `callback` (none shown when it uses the configured one).", responses = {
                    @ApiResponse(responseCode = "200", description = "The job's definition", content = @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = JobRepresentation.class))),
                    @ApiResponse(responseCode = "404", description = "No such job",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public JobRepresentation definition(@PathParam("id") String id) {
        return JobRepresentation.of(engine.definition(id));
    }

    /**
     * Every line of the job's log from {@code index} on, as the original answered, streamed page by page; with
     * {@code limit} at most that many (and {@code next}); with {@code step} and {@code stream} only the lines of that
     * step, of that stream. A {@code follow} is answered before Jersey, by {@link LiveStreamFilter}.
     */
    @GET
    @Timed
    @Path("/{id}/log")
    @Operation(summary = "A job's log", description = "Every line from `index` on, streamed. With `follow=true` and"
            + " `Accept: text/event-stream` or `application/x-ndjson`, a live stream of the lines as they are written,"
            + " ended by the job's status when the job ends: SSE events `line` (`id` the line's index, `data` the"
            + " line) and `end` (`data` the job's status), or NDJSON lines `{\"index\", \"line\"}` and a last"
            + " `{\"end\": true, \"status\"}`; a keep-alive (an SSE comment, an empty NDJSON line) every 15 s.",
            parameters = {
                    @Parameter(name = "follow", in = ParameterIn.QUERY, description = "a live stream instead of the"
                            + " log so far (needs a stream `Accept` type)", schema = @Schema(type = "boolean")),
                    @Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, description = "with `follow`: resumes"
                            + " after this line, as SSE clients send it", schema = @Schema(type = "integer",
                            format = "int64", minimum = "0")),
                    @Parameter(name = "access_token", in = ParameterIn.QUERY, description = "the API token, for"
                            + " clients that cannot send headers (a browser's EventSource)", schema = @Schema(type = "string"))},
            responses = {
                    @ApiResponse(responseCode = "200", description = "The log; or with `follow`, its live stream",
                            content = {
                                    @Content(mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = ApiShapes.Log.class)),
                                    @Content(mediaType = "text/event-stream", schema = @Schema(type = "string",
                                            description = "Server-Sent Events: `line` events, then one `end` event")),
                                    @Content(mediaType = "application/x-ndjson",
                                            schema = @Schema(implementation = ApiShapes.NdjsonLogLine.class))}),
                    @ApiResponse(responseCode = "204", description = "With `follow` and `Last-Event-ID`: the job has"
                            + " ended and nothing is left; how SSE tells a client to stop reconnecting"),
                    @ApiResponse(responseCode = "400", description = "`index`, `limit`, `step` or `Last-Event-ID` is"
                            + " not a number",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "404", description = "No such job",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "406", description = "`follow=true` without `Accept:"
                            + " text/event-stream` or `application/x-ndjson`",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "422", description = "A number out of range, a step the job does not"
                            + " have, or a stream other than stdout and stderr",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public Response log(
            @PathParam("id") String id,
            @Parameter(description = "the first line's index", schema = @Schema(type = "integer", format = "int64",
                    minimum = "0", maximum = "" + MAX_LOG_INDEX, defaultValue = "0"))
            @QueryParam("index") @DefaultValue("0") @NotNull @Min(value = 0, message = "must be 0 or more")
                    @Max(value = MAX_LOG_INDEX, message = "must be at most " + MAX_LOG_INDEX) LongParam index,
            @Parameter(description = "answers at most this many lines (and `next`)", schema = @Schema(type = "integer",
                    format = "int64", minimum = "1")) @QueryParam("limit") String limitParam,
            @Parameter(description = "keeps one step's lines (every attempt's)", schema = @Schema(type = "integer",
                    minimum = "0")) @QueryParam("step") String stepParam,
            @Parameter(schema = @Schema(allowableValues = {"stdout", "stderr"}))
            @QueryParam("stream") @Pattern(regexp = "stdout|stderr", message = "must be stdout or stderr") String stream) {
        Long limit = QueryNumbers.parse("limit", limitParam, 1, Long.MAX_VALUE);
        LogFilter filter = logFilter(id, QueryNumbers.parse("step", stepParam, 0, Long.MAX_VALUE), stream);
        Integer lines = limit == null ? null : (int) Math.min(limit, maxLogLines);
        LogPage first = engine.log(id, index.get(), LogOutput.PAGE_LINES, filter);
        return Response.ok(new LogOutput(engine, json.getFactory(), id, filter, first, lines), MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    /** The filter of a log request; a step the job does not have is the client's mistake. */
    private LogFilter logFilter(String id, Long step, String stream) {
        if (step != null) {
            int steps = engine.state(id).steps().size();
            if (step >= steps) {
                throw new RequestLimits.InvalidRequestException("query param step must be below " + steps
                        + ", the number of steps of job " + id);
            }
        }
        return new LogFilter(step == null ? null : step.intValue(), stream == null ? null : LogStream.of(stream));
    }

    /** Stops a queued or running job; 409 if it has already ended. */
    @POST
    @Timed
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a job", description = "Stops a queued or running job: a running container is stopped,"
            + " later steps never begin.", responses = {
                    @ApiResponse(responseCode = "200", description = "The job's status, now `cancelled`",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                    schema = @Schema(implementation = JobStatusRepresentation.class))),
                    @ApiResponse(responseCode = "404", description = "No such job",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class))),
                    @ApiResponse(responseCode = "409", description = "The job has already ended",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public JobStatusRepresentation cancel(@PathParam("id") String id,
            @Parameter(description = "why, kept in the job's `error`") @QueryParam("reason") String reason,
            @Context HttpServletRequest request, @Context SecurityContext security) {
        return JobStatusRepresentation.of(engine.cancel(id, "cancelled by " + who(request, security, reason)));
    }

    /** Forgets a job, cancelling it first if it is still queued or running. */
    @DELETE
    @Timed
    @Path("/{id}")
    @Operation(summary = "Delete a job", description = "Cancels the job if it is still queued or running, then removes"
            + " everything kept for it.", responses = {
                    @ApiResponse(responseCode = "204", description = "Deleted"),
                    @ApiResponse(responseCode = "404", description = "No such job",
                            content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))})
    public Response delete(@PathParam("id") String id, @Context HttpServletRequest request,
            @Context SecurityContext security) {
        engine.delete(id, "deleted by " + who(request, security, null));
        return Response.noContent().build();
    }

    private static String who(HttpServletRequest request, SecurityContext security, String reason) {
        String client = security.getUserPrincipal() != null ? security.getUserPrincipal().getName() + " from " : "";
        return "a request from " + client + request.getRemoteAddr() + (reason == null || reason.isBlank() ? "" : ": " + reason);
    }
}
