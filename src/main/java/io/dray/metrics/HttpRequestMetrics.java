package io.dray.metrics;

import io.dray.api.ApiRequests;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * Counts the API's requests by method, route ({@code /jobs/{id}/log}, as the OpenAPI document names it) and status,
 * and times them. First in the chain, as the live streams and {@code GET /jobs/{id}} are answered before Jersey. A
 * request answered later (a {@code wait}, a live stream) is counted when it ends, with the status it ended with; a live
 * stream's time is how long it was followed.
 */
final class HttpRequestMetrics implements Filter {
    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private final Counter requests;
    private final Histogram durations;

    HttpRequestMetrics(PrometheusRegistry registry) {
        requests = Counter.builder()
                .name("dray_http_requests_total")
                .help("Requests to the API, by method, route and status")
                .labelNames("method", "route", "status")
                .register(registry);
        durations = Histogram.builder()
                .name("dray_http_request_duration_seconds")
                .help("How long the API took to answer, by method and route (a live stream: how long it was followed)")
                .unit(Unit.SECONDS)
                .classicOnly()
                .labelNames("method", "route")
                .register(registry);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        long started = System.nanoTime();
        // Jetty takes any method name: only the standard ones are labels, so no client can make series without end.
        String method = STANDARD_METHODS.contains(request.getMethod()) ? request.getMethod() : "other";
        String route = ApiRequests.template(request);
        try {
            chain.doFilter(req, res);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        count(method, route, response.getStatus(), started);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {}

                    @Override
                    public void onError(AsyncEvent event) {}

                    @Override
                    public void onStartAsync(AsyncEvent event) {}
                });
            } else {
                count(method, route, response.getStatus(), started);
            }
        }
    }

    private void count(String method, String route, int status, long started) {
        requests.labelValues(method, route, Integer.toString(status)).inc();
        durations.labelValues(method, route).observe((System.nanoTime() - started) / 1e9);
    }
}
