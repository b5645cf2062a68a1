package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.LiveStream;
import io.dray.support.TestDocker;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route's real answers, successes and errors, from a running Dray with API tokens, checked against the OpenAPI
 * document it serves by Atlassian's swagger-request-validator: a route, a field, a status or a media type the document
 * does not describe fails here.
 */
class OpenApiIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String TOKEN = "token-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static DrayProcess dray;
    private static DrayClient client;
    private static OpenApiInteractionValidator validator;
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        dray = DrayProcess.start(REDIS, "dray-test-" + UUID.randomUUID() + ":", "unix:///var/run/docker.sock",
                Map.of("dataDirectory", Files.createTempDirectory("dray-openapi-").toString()), """
                security:
                  apiTokens: "%s"
                """.formatted(TOKEN));
        client = new DrayClient(dray.url(""), TOKEN);
        HttpResponse<String> document = HTTP.send(HttpRequest.newBuilder(URI.create(dray.url("/openapi.json"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).as("served without a token").isEqualTo(200);
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(document.body()).build();
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
    void theYamlDocumentIsTheJsonOne() throws Exception {
        HttpResponse<String> json = send("GET", "/openapi.json", null, null, Map.of());
        HttpResponse<String> yaml = send("GET", "/v1/openapi.yaml", null, null, Map.of());
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/yaml"));
        assertThat(new YAMLMapper().readTree(yaml.body())).isEqualTo(JSON.readTree(json.body()));
        assertThat(JSON.readTree(json.body()).get("openapi").asText()).startsWith("3.");
    }

    @Test
    void submissionsAnswerAsDescribed() throws Exception {
        String job = DrayClient.scriptJob("echo hello");
        HttpResponse<String> created = checked("POST", "/jobs", job, "application/json", 201);
        jobs.add(JSON.readTree(created.body()).get("id").asText());
        String boundary = "dray-" + UUID.randomUUID();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"job\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + DrayClient.scriptJob("cat") + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"input\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                + "some input\r\n--" + boundary + "--\r\n";
        HttpResponse<String> withInput = checkedResponse("POST", "/jobs", multipart,
                "multipart/form-data; boundary=" + boundary, 201);
        jobs.add(JSON.readTree(withInput.body()).get("id").asText());

        checkedResponse("POST", "/jobs", "{\"steps\": [", "application/json", 400);
        checkedResponse("POST", "/jobs", "{\"steps\": []}", "application/json", 422);
        checkedResponse("POST", "/jobs", "{\"steps\": [{\"source\": \"x\", \"timeout\": \"soon\"}]}", "application/json", 422);
        checkedResponse("POST", "/jobs", "{\"steps\": [{\"source\": \"x\", \"timeout\": true}]}", "application/json", 400);
        HttpResponse<String> anonymous = send("POST", "/jobs", job, "application/json", Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertValid(validator.validateResponse("/jobs", Request.Method.POST, response(anonymous)), anonymous);
        for (String id : new ArrayList<>(jobs)) {
            client.awaitFinished(id, Duration.ofSeconds(60));
        }
    }

    @Test
    void statusListAndLogAnswerAsDescribed() throws Exception {
        String id = client.submit(DrayClient.scriptJob("echo one; echo two >&2", "cat"));
        jobs.add(id);
        checked("GET", "/jobs/" + id + "?wait=20s", null, null, 200);
        checked("GET", "/jobs/" + id, null, null, 200);
        checkedResponse("GET", "/jobs/" + id + "?wait=later", null, null, 400);
        checkedResponse("GET", "/jobs/no-such-job", null, null, 404);
        checked("GET", "/jobs/" + id + "/definition", null, null, 200);
        checkedResponse("GET", "/jobs/no-such-job/definition", null, null, 404);

        checked("GET", "/jobs", null, null, 200);
        HttpResponse<String> page = checked("GET", "/jobs?limit=1&status=complete&order=newest", null, null, 200);
        assertThat(JSON.readTree(page.body())).hasSize(1);
        checked("GET", "/jobs?name=x&since=2026-01-01T00:00:00Z&until=2100-01-01T00:00:00Z", null, null, 200);
        checkedResponse("GET", "/jobs?status=lost", null, null, 422);
        checkedResponse("GET", "/jobs?since=yesterday", null, null, 400);

        checked("GET", "/jobs/" + id + "/log", null, null, 200);
        HttpResponse<String> paged = checked("GET", "/jobs/" + id + "/log?index=0&limit=1&step=0&stream=stdout", null,
                null, 200);
        assertThat(JSON.readTree(paged.body()).get("lines")).hasSize(1);
        checkedResponse("GET", "/jobs/" + id + "/log?step=7", null, null, 422);
        checkedResponse("GET", "/jobs/" + id + "/log?index=minus", null, null, 400);
        checkedResponse("GET", "/jobs/no-such-job/log", null, null, 404);
    }

    @Test
    void followsAnswerAsDescribed() throws Exception {
        String id = client.submit(DrayClient.scriptJob("echo one; echo two"));
        jobs.add(id);
        client.awaitFinished(id, Duration.ofSeconds(60));
        String follow = "/jobs/" + id + "/log?follow=true";

        HttpResponse<String> ndjson = send("GET", follow, null, null, withToken(Map.of("Accept", "application/x-ndjson")));
        assertThat(ndjson.statusCode()).isEqualTo(200);
        List<String> lines = ndjson.body().lines().filter(line -> !line.isEmpty()).toList();
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            // Each line of NDJSON is one JSON document: each is checked against the line's schema.
            assertValid(validator.validate(request("GET", follow, null, null, withToken(Map.of("Accept", "application/x-ndjson"))),
                    SimpleResponse.Builder.status(200).withContentType("application/x-ndjson").withBody(line).build()),
                    ndjson);
        }
        HttpResponse<String> sse = checked("GET", follow, null, null, 200, Map.of("Accept", "text/event-stream"));
        assertThat(sse.body()).contains("event: line", "event: end");
        HttpResponse<String> resumed = checked("GET", follow, null, null, 204,
                Map.of("Accept", "text/event-stream", "Last-Event-ID", "1"));
        assertThat(resumed.body()).isEmpty();
        checkedResponse("GET", follow, null, null, 406, Map.of("Accept", "application/json"));
        checkedResponse("GET", "/jobs/no-such-job/log?follow=true", null, null, 404, Map.of("Accept", "text/event-stream"));
        checkedResponse("GET", follow + "&step=3", null, null, 422, Map.of("Accept", "application/x-ndjson"));
    }

    @Test
    void eventsAnswerAsDescribed() throws Exception {
        String id;
        List<String> events = new ArrayList<>();
        try (LiveStream stream = LiveStream.open(dray.url("/events"), "application/x-ndjson",
                "Authorization", "Bearer " + TOKEN)) {
            assertThat(stream.response().headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/x-ndjson"));
            id = client.submit(DrayClient.scriptJob("true"));
            jobs.add(id);
            for (LiveStream.Event event; (event = stream.next(Duration.ofSeconds(60))) != null; ) {
                if (JSON.readTree(event.data()).get("job").asText().equals(id)) {
                    events.add(event.data());
                    if (event.data().contains("\"job.complete\"")) {
                        break;
                    }
                }
            }
        }
        assertThat(events).hasSizeGreaterThanOrEqualTo(4);
        for (String event : events) {
            assertValid(validator.validate(request("GET", "/events?job=" + id, null, null,
                            withToken(Map.of("Accept", "application/x-ndjson"))),
                    SimpleResponse.Builder.status(200).withContentType("application/x-ndjson").withBody(event).build()),
                    null);
        }
        checkedResponse("GET", "/events", null, null, 406, Map.of("Accept", "application/json"));
        HttpResponse<String> anonymous = send("GET", "/events", null, null, Map.of("Accept", "text/event-stream"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertValid(validator.validateResponse("/events", Request.Method.GET, response(anonymous)), anonymous);
    }

    @Test
    void cancelAndDeleteAnswerAsDescribed() throws Exception {
        String id = client.submit(DrayClient.scriptJob("sleep 30"));
        jobs.add(id);
        checked("POST", "/jobs/" + id + "/cancel?reason=no%20longer%20needed", null, null, 200);
        checkedResponse("POST", "/jobs/" + id + "/cancel", null, null, 409);
        checkedResponse("POST", "/jobs/no-such-job/cancel", null, null, 404);
        checked("DELETE", "/jobs/" + id, null, null, 204);
        checkedResponse("DELETE", "/jobs/" + id, null, null, 404);
    }

    @Test
    void theValidatorRefusesWhatTheDocumentDoesNotDescribe() {
        SimpleResponse errorWithoutMessage = SimpleResponse.Builder.status(404).withContentType("application/json")
                .withBody("{\"code\": 404}").build();
        SimpleResponse unknownStatus = SimpleResponse.Builder.status(418).withContentType("application/json")
                .withBody("{\"code\": 418, \"message\": \"teapot\"}").build();
        SimpleResponse wrongStatus = SimpleResponse.Builder.status(200).withContentType("application/json")
                .withBody("{\"id\": \"x\", \"stepsCompleted\": 0, \"status\": \"lost\"}").build();
        assertThat(validator.validateResponse("/jobs/x", Request.Method.GET, errorWithoutMessage).hasErrors()).isTrue();
        assertThat(validator.validateResponse("/jobs/x", Request.Method.GET, unknownStatus).hasErrors()).isTrue();
        assertThat(validator.validateResponse("/jobs/x", Request.Method.GET, wrongStatus).hasErrors()).isTrue();
    }

    /** Sends a request that is right, and checks both it and its answer against the document. */
    private HttpResponse<String> checked(String method, String pathAndQuery, String body, String contentType,
            int status) throws Exception {
        return checked(method, pathAndQuery, body, contentType, status, Map.of());
    }

    private HttpResponse<String> checked(String method, String pathAndQuery, String body, String contentType,
            int status, Map<String, String> headers) throws Exception {
        HttpResponse<String> answer = authorized(method, pathAndQuery, body, contentType, status, headers);
        assertValid(validator.validate(request(method, pathAndQuery, body, contentType, withToken(headers)),
                response(answer)), answer);
        return answer;
    }

    /** Sends a request that is wrong on purpose (or that the validator cannot read), and checks its answer. */
    private HttpResponse<String> checkedResponse(String method, String pathAndQuery, String body, String contentType,
            int status) throws Exception {
        return checkedResponse(method, pathAndQuery, body, contentType, status, Map.of());
    }

    private HttpResponse<String> checkedResponse(String method, String pathAndQuery, String body, String contentType,
            int status, Map<String, String> headers) throws Exception {
        HttpResponse<String> answer = authorized(method, pathAndQuery, body, contentType, status, headers);
        assertValid(validator.validateResponse(URI.create(pathAndQuery).getRawPath().replaceFirst("^/v1", ""),
                Request.Method.valueOf(method), response(answer)), answer);
        return answer;
    }

    private HttpResponse<String> authorized(String method, String pathAndQuery, String body, String contentType,
            int status, Map<String, String> headers) throws Exception {
        HttpResponse<String> answer = send(method, pathAndQuery, body, contentType, withToken(headers));
        assertThat(answer.statusCode()).as("%s %s: %s", method, pathAndQuery, answer.body()).isEqualTo(status);
        return answer;
    }

    private static Map<String, String> withToken(Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Authorization", "Bearer " + TOKEN);
        return all;
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body, String contentType,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(dray.url(pathAndQuery)))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Request request(String method, String pathAndQuery, String body, String contentType,
            Map<String, String> headers) {
        URI uri = URI.create(pathAndQuery);
        SimpleRequest.Builder request = new SimpleRequest.Builder(method, uri.getRawPath());
        if (uri.getRawQuery() != null) {
            Map<String, List<String>> query = new java.util.LinkedHashMap<>();
            for (String pair : uri.getRawQuery().split("&")) {
                String[] nameValue = pair.split("=", 2);
                query.computeIfAbsent(nameValue[0], name -> new ArrayList<>())
                        .add(URLDecoder.decode(nameValue.length > 1 ? nameValue[1] : "", StandardCharsets.UTF_8));
            }
            query.forEach(request::withQueryParam);
        }
        if (body != null) {
            request.withBody(body);
        }
        if (contentType != null) {
            request.withContentType(contentType);
        }
        headers.forEach(request::withHeader);
        return request.build();
    }

    private static SimpleResponse response(HttpResponse<String> answer) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.statusCode());
        answer.headers().map().forEach(response::withHeader);
        if (!answer.body().isEmpty()) {
            response.withBody(answer.body());
        }
        return response.build();
    }

    private static void assertValid(ValidationReport report, HttpResponse<String> answer) {
        assertThat(report.getMessages())
                .as("%s answered %s", answer == null ? "" : answer.request().method() + " " + answer.request().uri(),
                        answer == null ? "" : answer.body())
                .isEmpty();
    }
}
