package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing a client sends makes Dray answer 5xx: 10,000 requests a run, each a mutation of a valid one (job bodies
 * with fields replaced by overflowing, negative, fractional, wrong-typed or absurd values, fields dropped or added,
 * bytes cut or flipped; query parameters of every route; paths and methods), from a seed printed with every failure
 * ({@code -Dfuzz.seed=N} replays a run). Afterwards every accepted job has ended on its own, no container is left,
 * and health is green.
 */
class FuzzIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int BODIES = 6_000;
    private static final int QUERIES = 2_000;
    private static final int PATHS = 2_000;
    /** An image no registry has: accepted jobs fail at their pull, quickly, and run no container. */
    private static final String ABSENT_IMAGE = TestDocker.REGISTRY + "/dray-fuzz/absent:latest";

    private static DrayProcess dray;
    private static HttpClient http;
    private final long seed = Long.getLong("fuzz.seed", System.nanoTime());

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        dray = DrayProcess.start(REDIS, "dray-fuzz-" + UUID.randomUUID() + ":", "unix:///var/run/docker.sock",
                Map.of("workers", "4", "maxRetries", "2", "maxRetryDelay", "100ms"), """
                security:
                  maxRequestSize: 64KiB
                  maxInputSize: 64KiB
                """);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dray != null) {
            dray.close();
        }
    }

    /** What one request was and what it got. */
    private record Outcome(String request, int status, String body) {}

    @Test
    void noneOfTenThousandMutatedRequestsGets5xxAndEveryAcceptedJobEnds() throws Exception {
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        List<String> ended = Collections.synchronizedList(new ArrayList<>());
        ended.add(finishedJob());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int slice = 0; slice < 8; slice++) {
                Random random = new Random(seed + slice);
                int part = slice;
                running.add(clients.submit(() -> {
                    // Each client its own connection, so that a failure can be told from the request before it.
                    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                    Outcome previous = null;
                    for (int i = part; i < BODIES + QUERIES + PATHS; i += 8) {
                        Outcome outcome = i < BODIES ? send(client, mutatedSubmission(random))
                                : i < BODIES + QUERIES ? send(client, mutatedQuery(random, ended))
                                : send(client, mutatedPath(random, ended));
                        if (outcome.status() < 0 && previous != null) {
                            outcome = new Outcome(outcome.request() + " after " + previous.request() + " answered "
                                    + previous.status(), outcome.status(), outcome.body());
                        }
                        previous = outcome;
                        outcomes.add(outcome);
                        if (outcome.status() == 201 && outcome.request().startsWith("POST /jobs ")) {
                            ended.add(JSON.readTree(outcome.body()).get("id").asText());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> done : running) {
                done.get();
            }
        } finally {
            clients.shutdownNow();
        }

        assertThat(outcomes).hasSize(BODIES + QUERIES + PATHS);
        List<Outcome> serverErrors = outcomes.stream().filter(o -> o.status() >= 500 || o.status() < 100).toList();
        assertThat(serverErrors).as("seed %d: answers 5xx (or none)", seed).isEmpty();
        List<Outcome> unexplained = outcomes.stream()
                .filter(o -> o.status() >= 400 && !o.request().startsWith("HEAD")
                        && (o.body() == null || !o.body().contains("\"message\"")))
                .toList();
        assertThat(unexplained).as("seed %d: 4xx without a JSON message", seed).isEmpty();
        long accepted = outcomes.stream().filter(o -> o.status() == 201).count();
        assertThat(accepted).as("the mutations leave some jobs valid").isGreaterThan(50);
        assertThat(outcomes.stream().filter(o -> o.status() == 422).count()).as("and refuse others").isGreaterThan(500);

        for (String id : List.copyOf(ended)) {
            assertThat(awaitEnd(id)).as("seed %d: job %s ended on its own", seed, id)
                    .isIn("complete", "error", "cancelled", "deleted");
        }
        TestDocker.awaitNoContainersOf(List.copyOf(ended));
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/healthcheck"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }

    /** A job of one step that ran, for the routes that read a log or a finished job. */
    private static String finishedJob() throws Exception {
        String job = JSON.writeValueAsString(Map.of("name", "fuzz", "steps", List.of(Map.of("source", TestDocker.SH,
                "environment", List.of(Map.of("variable", "SCRIPT", "value", "echo one; echo two >&2"))))));
        HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(dray.url("/jobs")))
                .POST(HttpRequest.BodyPublishers.ofString(job)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        String id = JSON.readTree(submitted.body()).get("id").asText();
        assertThat(awaitEnd(id)).isEqualTo("complete");
        return id;
    }

    private static String awaitEnd(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(dray.url("/jobs/" + id + "?wait=20s")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 404) {
                return "deleted";
            }
            String status = JSON.readTree(answer.body()).get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) {
                return status;
            }
        }
        return "still running";
    }

    private static Outcome send(HttpClient client, HttpRequest request) {
        String described = request.method() + " " + request.uri().getRawPath()
                + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
        try {
            HttpResponse<InputStream> answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String type = answer.headers().firstValue("Content-Type").orElse("");
            String body;
            try (InputStream in = answer.body()) {
                // A live stream that opened is an answer: its first bytes are enough.
                body = new String(type.startsWith("text/event-stream") || type.startsWith("application/x-ndjson")
                        ? new byte[0] : in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            }
            return new Outcome(described, answer.statusCode(), body);
        } catch (Exception e) {
            return new Outcome(described + " failed: " + e, -1, null);
        }
    }

    private static Outcome send(HttpClient client, Request request) {
        Outcome outcome = send(client, request.http());
        return request.body() == null ? outcome
                : new Outcome(outcome.request() + " " + abbreviated(request.body()), outcome.status(), outcome.body());
    }

    private static String abbreviated(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private record Request(HttpRequest http, String body) {}

    // ---- job bodies

    private Request mutatedSubmission(Random random) throws Exception {
        ObjectNode job = validJob(random);
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            mutate(job, random);
        }
        String text = JSON.writeValueAsString(job);
        if (random.nextInt(10) == 0) {
            text = mutatedText(text, random);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(dray.url("/jobs"))).timeout(Duration.ofSeconds(30));
        switch (random.nextInt(20)) {
            case 0 -> request.header("Content-Type", "text/plain");
            case 1 -> request.header("Content-Type", "application/json; charset=latin1");
            case 2 -> {
                String boundary = "fuzz" + random.nextInt(1000);
                text = "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                        + pick(random, "job", "input", "other", "") + "\"\r\n\r\n" + text + "\r\n--" + boundary
                        + (random.nextBoolean() ? "--\r\n" : "\r\n");
                request.header("Content-Type", "multipart/form-data; boundary=" + boundary);
            }
            default -> request.header("Content-Type", "application/json");
        }
        return new Request(request.POST(HttpRequest.BodyPublishers.ofString(text)).build(), text);
    }

    /** A job that Dray accepts, with most of the fields users may set, so that mutations reach each of them. */
    private static ObjectNode validJob(Random random) {
        ObjectNode job = NODES.objectNode();
        job.put("name", "fuzz-" + random.nextInt(100));
        ArrayNode environment = job.putArray("environment");
        environment.addObject().put("variable", "SHARED").put("value", "1");
        environment.addObject().put("variable", "TOKEN").put("value", "s3cr3t").put("secret", true);
        ArrayNode steps = job.putArray("steps");
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            ObjectNode step = steps.addObject();
            step.put("name", "step-" + i);
            step.put("source", ABSENT_IMAGE);
            step.putArray("environment").addObject().put("variable", "SCRIPT").put("value", "cat");
            step.put("output", "/tmp/out");
            step.put("beginDelimiter", "BEGIN");
            step.put("endDelimiter", "END");
            step.put("timeout", "30s");
            step.put("memory", "64m");
            step.put("cpuShares", 512);
            step.put("refresh", false);
            step.putArray("command").add("sh").add("-c").add("cat");
            step.put("workingDir", "/");
            step.put("user", "0");
            step.put("retries", 1);
            step.put("retryDelay", "10ms");
        }
        job.put("timeout", 60);
        job.put("ttl", "1h");
        job.put("input", "aGVsbG8K");
        return job;
    }

    private static final List<JsonNode> NASTY = List.of(NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(0),
            NODES.numberNode(-1), NODES.numberNode(-0.5), NODES.numberNode(1.5), NODES.numberNode(1e308),
            NODES.numberNode(-1e308), NODES.numberNode(new java.math.BigInteger("99999999999999999999999999")),
            NODES.numberNode(new java.math.BigInteger("9223372036854775808")), NODES.numberNode(Long.MIN_VALUE),
            NODES.numberNode(Integer.MAX_VALUE + 1L), NODES.numberNode(new java.math.BigDecimal("1e400")),
            NODES.textNode(""), NODES.textNode(" "), NODES.textNode("x".repeat(70_000)), NODES.textNode("\u0000"),
            NODES.textNode("\uD83D\uDCA5"), NODES.textNode("-1"), NODES.textNode("NaN"), NODES.textNode("Infinity"),
            NODES.textNode("1e400"), NODES.textNode("9999999999g"), NODES.textNode("99999999999999999999"),
            NODES.textNode("-5m"), NODES.textNode("0"), NODES.textNode("1ms"), NODES.textNode("99999999999999h"),
            NODES.textNode("9223372036854775807ms"), NODES.textNode("1.5.5s"), NODES.textNode("5 minutes"),
            NODES.textNode("../../etc/passwd"), NODES.textNode("http://169.254.169.254/"), NODES.textNode("a=b"),
            NODES.textNode("!!!not base64"), NODES.arrayNode(), NODES.objectNode(), NODES.arrayNode().addNull(),
            NODES.objectNode().put("a", 1), deeplyNested(200));

    private static JsonNode deeplyNested(int depth) {
        ArrayNode top = NODES.arrayNode();
        ArrayNode at = top;
        for (int i = 0; i < depth; i++) {
            at = at.addArray();
        }
        return top;
    }

    private static void mutate(ObjectNode job, Random random) {
        List<ContainerField> fields = new ArrayList<>();
        collect(job, fields);
        ContainerField target = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(6)) {
            case 0, 1, 2 -> target.set(NASTY.get(random.nextInt(NASTY.size())).deepCopy());
            case 3 -> target.remove();
            case 4 -> {
                if (target.parent() instanceof ObjectNode object) {
                    object.set(pick(random, "unknownField", "Steps", "secret", "callback", "memory", "retries",
                            "networkMode", "entrypoint", "cpus", "stepsCompleted", "id", "status"),
                            NASTY.get(random.nextInt(NASTY.size())).deepCopy());
                } else if (target.parent() instanceof ArrayNode array) {
                    array.add(array.get(0) == null ? NODES.nullNode() : array.get(0).deepCopy());
                }
            }
            default -> {
                // Many copies of an array element: steps, variables, command words past the limits.
                if (target.parent() instanceof ArrayNode array && !array.isEmpty()) {
                    JsonNode copied = array.get(0);
                    int copies = pick(random, 150, 250, 1000);
                    for (int i = 0; i < copies; i++) {
                        array.add(copied.deepCopy());
                    }
                } else {
                    target.set(NODES.textNode(String.valueOf(random.nextLong())));
                }
            }
        }
    }

    /** A value in its container: a field of an object or an element of an array. */
    private record ContainerField(JsonNode parent, String name, int index) {
        void set(JsonNode value) {
            if (parent instanceof ObjectNode object) {
                object.set(name, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode object) {
                object.remove(name);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }
    }

    private static void collect(JsonNode node, List<ContainerField> fields) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                fields.add(new ContainerField(object, name, -1));
                collect(object.get(name), fields);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                fields.add(new ContainerField(array, null, i));
                collect(array.get(i), fields);
            }
        }
    }

    /** The body's text cut, with bytes flipped, or with text inserted. */
    private static String mutatedText(String text, Random random) {
        int at = random.nextInt(text.length() + 1);
        return switch (random.nextInt(4)) {
            case 0 -> text.substring(0, at);
            case 1 -> text.substring(0, at) + (char) random.nextInt(0x3000) + text.substring(Math.min(text.length(), at + 1));
            case 2 -> text.substring(0, at) + pick(random, "{", "}", "[", "\"", ",", ":", "\\", "\\u12", "\uDC00", "null")
                    + text.substring(at);
            default -> pick(random, "", "null", "[]", "\"job\"", "42", "{}", "{\"steps\": null}", "{\"steps\": []}");
        };
    }

    // ---- query parameters

    private Request mutatedQuery(Random random, List<String> ended) {
        // The job that ran to its end, or none: a wait or a follow of a job still queued would hold the client until
        // the workers reach it.
        String id = random.nextBoolean() ? ended.get(0) : UUID.randomUUID().toString();
        String path = pick(random, "/jobs", "/jobs/" + id, "/jobs/" + id + "/log", "/events", "/jobs/" + id + "/log");
        List<String> names = switch (path) {
            case "/jobs" -> List.of("status", "name", "since", "until", "order", "limit", "cursor");
            case "/events" -> List.of("job", "since", "status", "follow", "after");
            default -> path.endsWith("/log") ? List.of("index", "limit", "step", "stream", "follow")
                    : List.of("wait");
        };
        StringBuilder query = new StringBuilder();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            query.append(i == 0 ? "?" : "&").append(names.get(random.nextInt(names.size()))).append('=')
                    .append(URLEncoder.encode(queryValue(random), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(dray.url(path + query)))
                .timeout(Duration.ofSeconds(30));
        if (random.nextInt(4) == 0) {
            request.header("Accept", pick(random, "text/event-stream", "application/x-ndjson", "text/html", "*/*",
                    "application/xml"));
        }
        if (random.nextInt(10) == 0) {
            request.header("Last-Event-ID", pick(random, "0", "-1", "abc", "99999999999999999999", "1.5", "2147483648",
                    "1-0", "99999999999999999999-0", "1764460800000-0"));
        }
        return new Request(request.GET().build(), null);
    }

    private static String queryValue(Random random) {
        return pick(random, "", "0", "1", "-1", "2147483648", "9223372036854775808", "99999999999999999999", "1.5",
                "NaN", "1e3", "abc", "complete", "queued,running", "error", "newest", "oldest", "stdout", "stderr",
                "true", "false", "5s", "20s", "0s", "-5s", "999999h", "1ms", "2026-11-30T00:00:00Z", "not-a-date",
                "0:0", "1-0", "%", "\u0000", "x".repeat(5000), String.valueOf(random.nextInt()), String.valueOf(random.nextLong()));
    }

    // ---- paths and methods

    private Request mutatedPath(Random random, List<String> ended) {
        String id = ended.get(random.nextInt(ended.size()));
        String segment = pick(random, id, UUID.randomUUID().toString(), "", "%00", "%2F", "..", "%2E%2E", "x".repeat(3000),
                "%F0%9F%92%A5", "%ZZ", "jobs", " ", "%20", "null", "-1", id + "%00");
        String path = pick(random, "/jobs/" + segment, "/jobs/" + segment + "/log", "/jobs/" + segment + "/cancel",
                "/jobs/" + segment + "/log/extra", "/" + segment, "/v1/jobs/" + segment, "/jobs//" + segment,
                "/events/" + segment, "/jobs/" + segment + "/steps", "/jobs/" + segment + "/definition");
        String method = pick(random, "GET", "GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD");
        URI uri;
        try {
            uri = URI.create(dray.url(path));
        } catch (IllegalArgumentException e) {
            uri = URI.create(dray.url("/jobs/" + UUID.randomUUID()));
        }
        HttpRequest.BodyPublisher body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                ? HttpRequest.BodyPublishers.ofString(pick(random, "", "{}", "{\"reason\": 1}", "[")) : HttpRequest.BodyPublishers.noBody();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).method(method, body);
        if (random.nextBoolean()) {
            request.header("Content-Type", pick(random, "application/json", "text/plain", "multipart/form-data"));
        }
        return new Request(request.build(), null);
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
