package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.HttpHeaders;
import java.io.IOException;
import java.util.Optional;

/**
 * What the filters that answer before Jersey ({@link JobStatusFilter}, {@link LiveStreamFilter}) need of a request, in
 * one place: its route without the version prefix, whether its token is good, and errors written as
 * {@link ErrorMappers} writes them.
 */
public final class ApiRequests {
    private final Optional<ApiTokenAuthenticator> tokens;
    private final ObjectMapper json;

    /** @param tokens empty when the API is open, as it is without configured tokens */
    ApiRequests(Optional<ApiTokenAuthenticator> tokens, ObjectMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    /**
     * The API route of a request: its path without its version prefix; null for an escaped path, which only Jersey
     * decodes, and for a request another servlet serves (the dashboard's {@code /ui/jobs/{id}} has the path info
     * {@code /jobs/{id}} within its servlet, and is a page, not the job's status).
     */
    static String routeOf(HttpServletRequest request) {
        return request.getServletPath().isEmpty() ? route(request.getPathInfo()) : null;
    }

    /** A path within Jersey's servlet without its version prefix; null for an escaped path, which only Jersey decodes. */
    static String route(String pathInfo) {
        return pathInfo == null || pathInfo.indexOf('%') >= 0 ? null : VersionPrefixFilter.unversioned(pathInfo);
    }

    /**
     * The route a request's path is, as the OpenAPI document names it ({@code /jobs/{id}/log}), for counting requests
     * by route with a bounded number of names; {@code other} for a path no route serves, and for the dashboard's pages
     * (whose {@code /ui/jobs/{id}} is {@code /jobs/{id}} within the assets servlet).
     */
    public static String template(HttpServletRequest request) {
        String route = routeOf(request);
        if (route == null) {
            return "other";
        }
        return switch (route) {
            case "/jobs", "/events", "/health", "/openapi.json", "/openapi.yaml" -> route;
            default -> jobId(route, "/log") != null ? "/jobs/{id}/log"
                    : jobId(route, "/cancel") != null ? "/jobs/{id}/cancel"
                    : jobId(route, "") != null ? "/jobs/{id}"
                    : "other";
        };
    }

    /** The job id of {@code /jobs/{id}<suffix>}, or null for any other route. */
    static String jobId(String route, String suffix) {
        if (route == null || !route.startsWith("/jobs/") || !route.endsWith(suffix)) {
            return null;
        }
        String id = route.substring("/jobs/".length(), route.length() - suffix.length());
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }

    /**
     * Whether the request carries a good token: as {@code Authorization: Bearer <token>}, or, as Dropwizard's OAuth
     * filter also takes it on every Jersey route, as {@code ?access_token=<token>} (a browser's EventSource cannot
     * send headers).
     */
    boolean authorized(HttpServletRequest request) {
        if (tokens.isEmpty()) {
            return true;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : request.getParameter("access_token");
        return token != null && !token.isEmpty() && tokens.get().authenticate(token).isPresent();
    }

    /** The 401 Jersey's auth filter answers, for a route Jersey does not serve. */
    void writeUnauthorized(HttpServletResponse response) throws IOException {
        jakarta.ws.rs.core.Response unauthorized = new ErrorMappers.Unauthorized().buildResponse("Bearer", "dray");
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, unauthorized.getHeaderString(HttpHeaders.WWW_AUTHENTICATE));
        write(response, unauthorized.getStatus(), (ErrorMessage) unauthorized.getEntity());
    }

    void writeError(HttpServletResponse response, int status, String message) throws IOException {
        write(response, status, new ErrorMessage(status, message));
    }

    void write(HttpServletResponse response, int status, Object entity) throws IOException {
        write(response, status, json.writeValueAsBytes(entity));
    }

    static void write(HttpServletResponse response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
