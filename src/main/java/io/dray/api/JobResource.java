package io.dray.api;

import com.codahale.metrics.annotation.Timed;
import io.dray.core.Durations;
import io.dray.core.Job;
import io.dray.core.JobEngine;
import io.dropwizard.jersey.params.LongParam;
import jakarta.annotation.security.PermitAll;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The original Dray's API. Also answers under {@code /v<version>/}, see {@link VersionPrefixFilter}. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public final class JobResource {
    /** Below Jetty's idle timeout (30 s), which would otherwise close a waiting request's connection. */
    static final Duration MAX_WAIT = Duration.ofSeconds(20);
    private final JobEngine engine;
    private final RequestLimits limits;
    private final int maxLogLines;
    private final Executor responses;

    /**
     * @param maxLogLines the most lines one log request answers
     * @param responses writes the answers of waiting requests, off the engine's threads
     */
    public JobResource(JobEngine engine, RequestLimits limits, int maxLogLines, Executor responses) {
        this.engine = engine;
        this.limits = limits;
        this.maxLogLines = maxLogLines;
        this.responses = responses;
    }

    @POST
    @Timed
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(@NotNull @Valid JobRepresentation request, @Context UriInfo uri) {
        limits.check(request);
        Job job = engine.submit(request.name(), request.toEnvironment(), request.toSteps(), request.toTimeout());
        return Response.created(uri.getAbsolutePathBuilder().path(job.id()).build())
                .entity(request.echoWithId(job.id()))
                .build();
    }

    @GET
    @Timed
    public List<JobIdRepresentation> list() {
        return engine.jobIds().stream().map(JobIdRepresentation::new).toList();
    }

    /**
     * The job's status; with {@code wait}, as soon as the job has ended, or after that long (at most {@link #MAX_WAIT})
     * with its status then: a client waits for a job in one request instead of polling.
     */
    @GET
    @Timed
    @Path("/{id}")
    public void status(@PathParam("id") String id, @QueryParam("wait") String wait, @Suspended AsyncResponse response) {
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

    @GET
    @Timed
    @Path("/{id}/log")
    public LogRepresentation log(
            @PathParam("id") String id,
            @QueryParam("index") @DefaultValue("0") @NotNull @Min(value = 0, message = "must be 0 or more") LongParam index) {
        return new LogRepresentation(engine.log(id, index.get(), maxLogLines));
    }

    /** Stops a queued or running job; 409 if it has already ended. */
    @POST
    @Timed
    @Path("/{id}/cancel")
    public JobStatusRepresentation cancel(@PathParam("id") String id, @QueryParam("reason") String reason,
            @Context HttpServletRequest request, @Context SecurityContext security) {
        return JobStatusRepresentation.of(engine.cancel(id, "cancelled by " + who(request, security, reason)));
    }

    /** Forgets a job, cancelling it first if it is still queued or running. */
    @DELETE
    @Timed
    @Path("/{id}")
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
