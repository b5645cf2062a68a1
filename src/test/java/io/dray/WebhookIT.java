package io.dray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.dray.core.CallbackDeliveries;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

/**
 * Jobs' callbacks from real Dray processes to a receiver on 127.0.0.1 (allowed through config): signed, tried again
 * until the receiver answers, delivered by another instance when the one that ran the job died first, and refused at
 * submission when the URL is not allowed.
 */
class WebhookIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "hook-secret-" + UUID.randomUUID();

    private HttpServer receiver;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** The receiver answers 500 to this many requests first. */
    private final AtomicInteger failuresLeft = new AtomicInteger();

    private record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes()));
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hook(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private String webhooksConfig(String more) {
        return "webhooks:\n  allowedHosts: \"127.0.0.1\"\n  firstRetryDelay: 200ms\n  pollInterval: 50ms\n" + more;
    }

    private static String jobWithCallback(String url, String secret) throws Exception {
        ObjectNode job = (ObjectNode) JSON.readTree(DrayClient.scriptJob("echo hooked"));
        ObjectNode callback = job.putObject("callback").put("url", url);
        if (secret != null) {
            callback.put("secret", secret);
        }
        return JSON.writeValueAsString(job);
    }

    @Test
    void aJobsEndIsPostedSignedUntilTheReceiverTakesItAndItsStatusSaysSo() throws Exception {
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        failuresLeft.set(2);
        try (DrayProcess dray = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock", Map.of("workers", "2"),
                        webhooksConfig("  defaultUrl: \"" + hook("/default") + "\"\n  defaultSecret: default-secret\n"),
                        List.of());
                RedisClient redis = RedisClient.create(URI.create(REDIS))) {
            DrayClient client = new DrayClient(dray.url(""));
            HttpResponse<String> submitted = client.post("/jobs",
                    HttpRequest.BodyPublishers.ofString(jobWithCallback(hook("/hook"), SECRET)));
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            JsonNode echo = JSON.readTree(submitted.body());
            assertThat(echo.get("callback").get("secret").asText()).isEqualTo("****");
            String id = echo.get("id").asText();
            JsonNode end = client.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(end.get("status").asText()).isEqualTo("complete");

            await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().filter(r -> r.path().equals("/hook"))
                    .count() == 3);
            List<Received> hooks = received.stream().filter(r -> r.path().equals("/hook")).toList();
            for (Received hook : hooks) {
                assertThat(hook.header("X-Dray-Signature")).as("signed with the job's secret")
                        .isEqualTo(CallbackDeliveries.signature(SECRET, hook.body()));
                assertThat(hook.header("X-Dray-Event")).isEqualTo("job.complete");
                assertThat(hook.header("Content-Type")).isEqualTo("application/json");
            }
            assertThat(hooks).extracting(h -> h.header("X-Dray-Delivery")).containsOnly(hooks.get(0).header("X-Dray-Delivery"));
            JsonNode body = JSON.readTree(hooks.get(2).body());
            assertThat(body.get("id").asText()).isEqualTo(id);
            assertThat(body.get("status").asText()).isEqualTo("complete");
            assertThat(body.get("steps").get(0).get("state").asText()).isEqualTo("complete");
            assertThat(body.has("callback")).isFalse();

            await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).get("callback").get("state").asText()
                    .equals("delivered"));
            JsonNode callback = client.status(id).get("callback");
            assertThat(callback.get("attempts").asInt()).isEqualTo(3);
            assertThat(callback.has("lastError")).isFalse();
            assertThat(client.status(id).toString()).doesNotContain(SECRET);
            JsonNode definition = JSON.readTree(client.get("/jobs/" + id + "/definition").body());
            assertThat(definition.get("callback")).as(definition.toString())
                    .isEqualTo(JSON.createObjectNode().put("url", hook("/hook")).put("secret", "****"));

            // A job without a callback of its own is told to the default one, signed with its secret.
            String plain = client.submit(DrayClient.scriptJob("echo plain"));
            client.awaitFinished(plain, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(r -> r.path().equals("/default")));
            Received toDefault = received.stream().filter(r -> r.path().equals("/default")).findFirst().orElseThrow();
            assertThat(JSON.readTree(toDefault.body()).get("id").asText()).isEqualTo(plain);
            assertThat(toDefault.header("X-Dray-Signature"))
                    .isEqualTo(CallbackDeliveries.signature("default-secret", toDefault.body()));
            assertThat(JSON.readTree(client.get("/jobs/" + plain + "/definition").body()).has("callback"))
                    .as("the configured callback is the configuration's to show").isFalse();

            for (String key : redis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().match(prefix + "*").count(10_000))
                    .getResult()) {
                if (redis.type(key).equals("hash")) {
                    assertThat(redis.hgetAll(key).toString()).as(key).doesNotContain(SECRET).doesNotContain("default-secret");
                }
            }
            assertThat(dray.log()).doesNotContain(SECRET);
        }
    }

    @Test
    void anInstanceKilledBetweenAJobsEndAndItsDeliveryLeavesItToAnother() throws Exception {
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        // Instances that share jobs with secrets share the key that encrypts them.
        String sharedKey = "security:\n  secretKey: \"" + java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\"\n";
        String id;
        // The first instance looks for due callbacks once, at start, and never again: it dies with the job's unsent.
        try (DrayProcess first = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock", Map.of("workers", "1"),
                webhooksConfig("").replace("pollInterval: 50ms", "pollInterval: 1h") + sharedKey, List.of())) {
            DrayClient client = new DrayClient(first.url(""));
            id = client.submit(jobWithCallback(hook("/hook"), SECRET));
            client.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(client.status(id).get("callback").get("state").asText()).isEqualTo("pending");
            first.kill();
        }
        assertThat(received).isEmpty();
        try (DrayProcess second = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock", Map.of("workers", "1"),
                webhooksConfig("") + sharedKey, List.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
            assertThat(JSON.readTree(received.get(0).body()).get("id").asText()).isEqualTo(id);
            assertThat(received.get(0).header("X-Dray-Signature"))
                    .isEqualTo(CallbackDeliveries.signature(SECRET, received.get(0).body()));
            DrayClient client = new DrayClient(second.url(""));
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status(id).get("callback").get("state").asText()
                    .equals("delivered"));
        }
    }

    @Test
    void aCallbackToAHostOutsideTheAllowListIsRefusedAndNothingIsCreated() throws Exception {
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        try (DrayProcess dray = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock", Map.of("workers", "1"),
                webhooksConfig(""), List.of())) {
            DrayClient client = new DrayClient(dray.url(""));
            for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "ftp://127.0.0.1/",
                    "http://user:pw@127.0.0.1/")) {
                HttpResponse<String> refused = client.post("/jobs",
                        HttpRequest.BodyPublishers.ofString(jobWithCallback(url, null)));
                assertThat(refused.statusCode()).as(url + ": " + refused.body()).isEqualTo(422);
                assertThat(JSON.readTree(refused.body()).get("message").asText()).startsWith("callback.url ");
            }
            assertThat(JSON.readTree(client.get("/jobs").body())).isEmpty();
        }
        assertThat(received).isEmpty();
    }
}
