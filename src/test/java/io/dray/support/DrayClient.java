package io.dray.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Dray's API as a test drives it over HTTP, for Dray processes and containers. */
public final class DrayClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final String token;

    public DrayClient(String base) {
        this(base, null);
    }

    /** A client that sends {@code Authorization: Bearer <token>}. */
    public DrayClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** A job whose steps run these scripts in the example image dray-example/sh. */
    public static String scriptJob(String... scripts) {
        List<Object> steps = new ArrayList<>();
        for (String script : scripts) {
            steps.add(Map.of("source", TestDocker.SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", script))));
        }
        try {
            return JSON.writeValueAsString(Map.of("steps", steps));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String submit(String job) throws Exception {
        HttpResponse<String> response = post("/jobs", HttpRequest.BodyPublishers.ofString(job));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("id").asText();
    }

    public HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(body));
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)));
    }

    public JsonNode status(String id) throws Exception {
        HttpResponse<String> response = get("/jobs/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    public List<String> log(String id) throws Exception {
        List<String> lines = new ArrayList<>();
        JSON.readTree(get("/jobs/" + id + "/log").body()).get("lines").forEach(line -> lines.add(line.asText()));
        return lines;
    }

    public JsonNode awaitFinished(String id, Duration timeout) throws Exception {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> !status(id).get("status").asText().matches("queued|running"));
        return status(id);
    }

    public void awaitLogLine(String id, String line) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> log(id).contains(line));
    }

    public String url(String path) {
        return base + path;
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
