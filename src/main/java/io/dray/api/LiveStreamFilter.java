package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEngine;
import io.dray.core.JobEvent;
import io.dray.core.JobNotFoundException;
import io.dray.core.LogFilter;
import io.dray.core.LogPage;
import io.dray.core.LogStream;
import io.dray.core.StoreUnavailableException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Serves the live streams, which stay open as long as a job runs or a client listens: {@code GET /jobs/{id}/log
 * ?follow=true} and {@code GET /events}, as Server-Sent Events or NDJSON. They are served before Jersey, on the
 * Servlet API's non-blocking output ({@link AsyncStream}): Jersey's SSE writes block the thread that writes while a
 * client is slow, and a thread per follower would not scale. Everything else goes on to Jersey.
 */
public final class LiveStreamFilter implements Filter {
    private final JobEngine engine;
    private final LiveStreams streams;
    private final ApiRequests requests;
    private final ObjectMapper json;
    private final Executor work;

    /**
     * @param tokens empty when the API is open, as it is without configured tokens
     * @param work reads pages for follows and writes events, off the container's threads
     */
    public LiveStreamFilter(JobEngine engine, LiveStreams streams, Optional<ApiTokenAuthenticator> tokens,
            ObjectMapper json, Executor work) {
        this.engine = engine;
        this.streams = streams;
        this.requests = new ApiRequests(tokens, json);
        this.json = json;
        this.work = work;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String route = "GET".equals(request.getMethod()) ? ApiRequests.routeOf(request) : null;
        String followed = "true".equals(request.getParameter("follow")) ? ApiRequests.jobId(route, "/log") : null;
        boolean events = "/events".equals(route);
        if (followed == null && !events) {
            chain.doFilter(req, res);
            return;
        }
        if (!requests.authorized(request)) {
            requests.writeUnauthorized(response);
            return;
        }
        StreamFormat format = StreamFormat.accepted(request.getHeader("Accept"));
        if (format == null) {
            requests.writeError(response, 406, (events ? "events" : "a follow")
                    + " is a stream: send Accept: text/event-stream (Server-Sent Events) or application/x-ndjson");
            return;
        }
        try {
            if (events) {
                listen(request, response, format);
            } else {
                follow(followed, request, response, format);
            }
        } catch (InvalidRequest e) {
            requests.writeError(response, e.status, e.getMessage());
        } catch (JobNotFoundException e) {
            requests.writeError(response, 404, e.getMessage());
        } catch (StoreUnavailableException e) {
            requests.writeError(response, 503, "job store unavailable: " + e.getMessage());
        }
    }

    private void follow(String id, HttpServletRequest request, HttpServletResponse response, StreamFormat format)
            throws IOException {
        long from = startIndex(request);
        LogFilter filter = logFilter(request, engine.state(id).steps().size());
        if (request.getHeader("Last-Event-ID") != null) {
            LogPage rest = engine.log(id, from, 1, filter);
            if (rest.isLast() && rest.lines().isEmpty()) {
                // An EventSource reconnects on its own after the end: 204 is how SSE tells it to stop.
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
        }
        AsyncStream stream = AsyncStream.open(request, response, format.mediaType());
        LogFollower[] follower = new LogFollower[1];
        follower[0] = new LogFollower(id, from, filter, format, stream, engine, json, work,
                () -> streams.remove(follower[0]));
        stream.start(follower[0]);
        streams.add(follower[0]);
    }

    private void listen(HttpServletRequest request, HttpServletResponse response, StreamFormat format)
            throws IOException {
        String job = request.getParameter("job");
        String after = lastEventId(request);
        AsyncStream stream = AsyncStream.open(request, response, format.mediaType());
        EventFollower[] follower = new EventFollower[1];
        follower[0] = new EventFollower(job, format, stream, json, work, () -> streams.remove(follower[0]));
        stream.start(follower[0]);
        streams.add(follower[0]);
        // Something at once, so that a client (and a test) knows it listens from now on.
        stream.send(format.keepAlive());
        follower[0].begin(after, streams::history);
    }

    /** The event a client resumes after: SSE's {@code Last-Event-ID}, or {@code after=}; null for none. */
    private static String lastEventId(HttpServletRequest request) {
        String header = request.getHeader("Last-Event-ID");
        String after = header != null && !header.isBlank() ? header.strip() : request.getParameter("after");
        if (after == null || after.isEmpty()) {
            return null;
        }
        if (!JobEvent.isId(after)) {
            throw new InvalidRequest(400, (header != null && !header.isBlank() ? "Last-Event-ID" : "query param after")
                    + " must be an event's id, such as 1764460800000-0, not " + after);
        }
        return after;
    }

    /** {@code index=N} starts at line N; SSE's {@code Last-Event-ID: N} resumes after line N and wins. */
    private static long startIndex(HttpServletRequest request) {
        String lastEventId = request.getHeader("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            return nonNegative("Last-Event-ID", lastEventId) + 1;
        }
        String index = request.getParameter("index");
        return index == null ? 0 : nonNegative("query param index", index);
    }

    private static LogFilter logFilter(HttpServletRequest request, int steps) {
        String step = request.getParameter("step");
        String stream = request.getParameter("stream");
        Integer stepIndex = null;
        if (step != null) {
            long value = nonNegative("query param step", step);
            if (value >= steps) {
                throw new InvalidRequest(422, "query param step must be below " + steps + ", the number of steps of the job");
            }
            stepIndex = (int) value;
        }
        if (stream != null && !stream.equals("stdout") && !stream.equals("stderr")) {
            throw new InvalidRequest(422, "query param stream must be stdout or stderr");
        }
        return new LogFilter(stepIndex, stream == null ? null : LogStream.of(stream));
    }

    private static long nonNegative(String name, String value) {
        long number;
        try {
            number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequest(400, name + " is not a number: " + value);
        }
        if (number < 0) {
            throw new InvalidRequest(422, name + " must be 0 or more");
        }
        if (number > JobResource.MAX_LOG_INDEX) {
            throw new InvalidRequest(422, name + " must be at most " + JobResource.MAX_LOG_INDEX);
        }
        return number;
    }

    private static final class InvalidRequest extends RuntimeException {
        private final int status;

        InvalidRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
