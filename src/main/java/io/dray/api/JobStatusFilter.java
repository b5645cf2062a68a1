package io.dray.api;

import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.dray.core.JobEngine;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Optional;

/**
 * Answers {@code GET /jobs/{id}} before the request reaches Jersey: the route clients poll, hundreds of times per job.
 * Through Jersey's pipeline a read cost ~210 µs of CPU and, being deep, took minutes of load to be compiled on two
 * cores (docs/benchmarks.md, "API reads"). This path writes the same JSON as {@link JobResource#status}, from the
 * same engine call, into the same {@code @Timed} timer. An unknown job or an unavailable Redis it answers as
 * {@link ErrorMappers} renders them (a second try through Jersey would double a Redis outage's wait). Anything else
 * (another error, a missing or wrong token, a HEAD, a client that does not accept JSON, an escaped path, a query such
 * as {@code ?wait=}) it hands on to Jersey.
 */
public final class JobStatusFilter implements Filter {
    private final JobEngine engine;
    private final ApiRequests requests;
    private final ObjectWriter statusJson;
    private final Timer timer;

    /** @param tokens empty when the API is open, as it is without configured tokens */
    public JobStatusFilter(JobEngine engine, ObjectMapper json, Optional<ApiTokenAuthenticator> tokens, Timer timer) {
        this.engine = engine;
        this.requests = new ApiRequests(tokens, json);
        this.statusJson = json.writerFor(JobStatusRepresentation.class);
        this.timer = timer;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String id = "GET".equals(request.getMethod()) && request.getQueryString() == null && acceptsJson(request)
                && requests.authorized(request)
                ? ApiRequests.jobId(ApiRequests.routeOf(request), "")
                : null;
        if (id != null) {
            try (Timer.Context ignored = timer.time()) {
                ApiRequests.write((HttpServletResponse) res, 200,
                        statusJson.writeValueAsBytes(JobStatusRepresentation.of(engine.state(id))));
                return;
            } catch (RuntimeException e) {
                Optional<Response> error = ErrorMappers.beforeJersey(e);
                if (error.isPresent()) {
                    requests.write((HttpServletResponse) res, error.get().getStatus(), error.get().getEntity());
                    return;
                }
                // Anything else: Jersey asks again, and its mappers answer (and log) it.
            }
        }
        chain.doFilter(req, res);
    }

    private static boolean acceptsJson(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept == null || accept.contains("application/json") || accept.contains("*/*");
    }

}
