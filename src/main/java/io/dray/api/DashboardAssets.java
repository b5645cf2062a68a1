package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.servlets.assets.AssetServlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;

/**
 * The dashboard: HTML, ES modules and CSS from the jar under {@code /ui/}, on the API port. Its pages are real paths
 * ({@code /ui/jobs/{id}}, {@code /ui/submit}) that all answer the one page, whose script shows what the path names: a
 * deep link or a reload works. The assets carry no data and need no token; every answer with data comes from the API,
 * which does.
 */
public final class DashboardAssets extends AssetsBundle {
    public static final String URI_PATH = "/ui/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE_PATH = "/dashboard/";
    /** The resource path as the servlet asks for what is under it: without its leading slash. */
    private static final String RESOURCES = "dashboard/";
    private static final String PAGE = "index.html";
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    /** The dashboard's own routes, within its resource path: a job's page and the submit page. */
    private static final Pattern PAGE_ROUTES = Pattern.compile("jobs/[^/.]+|submit");

    public DashboardAssets() {
        super(RESOURCE_PATH, URI_PATH, PAGE, "dashboard");
    }

    @Override
    protected AssetServlet createServlet() {
        return new AssetServlet(RESOURCE_PATH, URI_PATH, PAGE, StandardCharsets.UTF_8) {
            private static final long serialVersionUID = 1L;

            /** Its refusals are JSON like the API's: the servlet's own are empty. */
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response)
                    throws ServletException, IOException {
                HttpServletResponse answer = new JsonErrors(request, response);
                if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                    answer.setHeader("Allow", "GET, HEAD");
                    answer.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                            request.getMethod() + " " + request.getRequestURI() + ": the dashboard's files are only read (GET)");
                    return;
                }
                super.service(request, answer);
            }

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response)
                    throws ServletException, IOException {
                // Asked again each time (a 304 when unchanged): after an upgrade no tab mixes old and new modules.
                response.setHeader("Cache-Control", "no-cache");
                // Only Dray's own scripts, styles and API: the pages show what jobs print, never as code.
                response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                response.setHeader("X-Content-Type-Options", "nosniff");
                super.doGet(request, response);
            }

            /** A route of the dashboard is its page; an asset is itself (and a missing one answers 404). */
            @Override
            protected URL getResourceURL(String absoluteRequestedResourcePath) {
                return super.getResourceURL(isPageRoute(absoluteRequestedResourcePath)
                        ? RESOURCES + PAGE
                        : absoluteRequestedResourcePath);
            }
        };
    }

    /**
     * A response whose errors are written as {@code {"code", "message"}}, as the API writes them. The asset servlet
     * refuses both ways: {@code sendError} (a missing file) and {@code setStatus} (a path it cannot read).
     */
    private static final class JsonErrors extends HttpServletResponseWrapper {
        private final HttpServletRequest request;

        JsonErrors(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            if (status < 400) {
                super.sendError(status); // a 304: no body
                return;
            }
            String said = message != null ? message
                    : status == SC_NOT_FOUND ? request.getRequestURI() + " is no page or file of the dashboard"
                    : HttpStatus.getMessage(status);
            ApiRequests.write((HttpServletResponse) getResponse(), status,
                    JSON.writeValueAsBytes(new ErrorMessage(status, said)));
        }

        @Override
        public void setStatus(int status) {
            if (status < 400) {
                super.setStatus(status);
                return;
            }
            try {
                sendError(status);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @param resource a resource the servlet asks for, e.g. {@code dashboard/jobs/ABC} for {@code /ui/jobs/ABC} */
    static boolean isPageRoute(String resource) {
        return resource.startsWith(RESOURCES) && PAGE_ROUTES.matcher(resource.substring(RESOURCES.length())).matches();
    }
}
