package io.dray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scrapes {@code /prometheus} on a real Dray's admin port before and after a few jobs, and reads the scrapes with the
 * Prometheus client's own parser (of its protobuf exposition format).
 */
class PrometheusIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static DrayProcess dray;
    private static DrayClient client;
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        dray = DrayProcess.start(REDIS, "dray-test-" + UUID.randomUUID() + ":",
                Map.of("dataDirectory", Files.createTempDirectory("dray-prometheus-").toString()));
        client = new DrayClient(dray.url(""));
    }

    @AfterAll
    static void stop() throws Exception {
        dray.close();
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    @Test
    void countersMoveWithJobsStepsAndRequests() throws Exception {
        Map<String, Metrics.MetricFamily> before = scrape();
        String complete = client.submit(DrayClient.scriptJob("echo one", "cat"));
        String failed = client.submit(DrayClient.scriptJob("exit 3"));
        jobs.addAll(List.of(complete, failed));
        client.awaitFinished(complete, Duration.ofSeconds(60));
        client.awaitFinished(failed, Duration.ofSeconds(60));
        String cancelled = client.submit(DrayClient.scriptJob("sleep 30"));
        jobs.add(cancelled);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.status(cancelled).at("/steps/0/state").asText().equals("running"));
        assertThat(gauge(scrape(), "dray_jobs_running")).isEqualTo(1);
        assertThat(client.post("/jobs/" + cancelled + "/cancel", HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(200);
        client.awaitFinished(cancelled, Duration.ofSeconds(60));
        assertThat(client.get("/jobs/no-such-job").statusCode()).isEqualTo(404);
        // A run writes its step's end a moment after the job's status answers cancelled.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                moved(before, scrape(), "dray_steps_total", "status", "cancelled") == 1);
        Map<String, Metrics.MetricFamily> after = scrape();

        assertThat(moved(before, after, "dray_jobs_submitted_total")).isEqualTo(3);
        assertThat(moved(before, after, "dray_jobs_total", "status", "complete")).isEqualTo(1);
        assertThat(moved(before, after, "dray_jobs_total", "status", "error")).isEqualTo(1);
        assertThat(moved(before, after, "dray_jobs_total", "status", "cancelled")).isEqualTo(1);
        assertThat(moved(before, after, "dray_steps_total", "status", "complete")).isEqualTo(2);
        assertThat(moved(before, after, "dray_steps_total", "status", "error")).isEqualTo(1);
        Metrics.Histogram durations = metric(after, "dray_step_duration_seconds", "status", "complete").getHistogram();
        assertThat(durations.getSampleCount()).isEqualTo(2);
        assertThat(durations.getSampleSum()).isPositive();
        assertThat(moved(before, after, "dray_http_requests_total", "method", "POST", "route", "/jobs", "status", "201"))
                .isEqualTo(3);
        assertThat(moved(before, after, "dray_http_requests_total", "method", "GET", "route", "/jobs/{id}",
                "status", "404")).isEqualTo(1);
        assertThat(moved(before, after, "dray_http_requests_total", "method", "POST", "route", "/jobs/{id}/cancel",
                "status", "200")).isEqualTo(1);
        assertThat(gauge(after, "dray_queue_depth")).isZero();
        // A run leaves once its container is removed, after its end is written.
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge(scrape(), "dray_jobs_running") == 0);
        // The JVM's metrics, from the Prometheus client; Dropwizard's (here the engine's meter) through its bridge.
        assertThat(gauge(after, "jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(moved(before, after, "jobs_submitted_total")).isEqualTo(3);
        assertThat(after).doesNotContainKey("jvm_memory_heap_used");
    }

    @Test
    void theTextFormatByDefaultAndOpenMetricsWhenAsked() throws Exception {
        HttpResponse<String> text = HTTP.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body()).contains("# TYPE dray_jobs_total counter", "dray_jobs_total{status=\"complete\"} ",
                "# TYPE dray_step_duration_seconds histogram", "dray_step_duration_seconds_bucket{");
        HttpResponse<String> openMetrics = HTTP.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/prometheus")))
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/openmetrics-text"));
        assertThat(openMetrics.body()).contains("# TYPE dray_jobs counter").endsWith("# EOF\n");
        HttpResponse<String> dropwizard = HTTP.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(dropwizard.statusCode()).as("Dropwizard's JSON metrics stay").isEqualTo(200);
        assertThat(dropwizard.body()).contains("\"jobs.submitted\"");
    }

    private static Map<String, Metrics.MetricFamily> scrape() throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/prometheus")))
                .header("Accept", PROTOBUF).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/vnd.google.protobuf"));
        Map<String, Metrics.MetricFamily> families = new HashMap<>();
        try (InputStream body = response.body()) {
            for (Metrics.MetricFamily family; (family = Metrics.MetricFamily.parseDelimitedFrom(body)) != null; ) {
                families.put(family.getName(), family);
            }
        }
        return families;
    }

    private static double moved(Map<String, Metrics.MetricFamily> before, Map<String, Metrics.MetricFamily> after,
            String name, String... labels) {
        return counter(after, name, labels) - (before.containsKey(name) ? counter(before, name, labels) : 0);
    }

    private static double counter(Map<String, Metrics.MetricFamily> families, String name, String... labels) {
        return metric(families, name, labels).getCounter().getValue();
    }

    private static double gauge(Map<String, Metrics.MetricFamily> families, String name, String... labels) {
        return metric(families, name, labels).getGauge().getValue();
    }

    private static Metrics.Metric metric(Map<String, Metrics.MetricFamily> families, String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Metrics.MetricFamily family = families.get(name);
        assertThat(family).as("%s in %s", name, families.keySet()).isNotNull();
        return family.getMetricList().stream()
                .filter(metric -> metric.getLabelList().stream()
                        .collect(Collectors.toMap(Metrics.LabelPair::getName, Metrics.LabelPair::getValue))
                        .entrySet().containsAll(wanted.entrySet()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + wanted + " in " + family));
    }
}
