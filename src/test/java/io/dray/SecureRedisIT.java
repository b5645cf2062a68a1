package io.dray;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.CertificateAuthority;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisServer;
import io.dray.support.TestDocker;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * Real Dray processes on a Redis of the test's own that asks for a password, and on one that speaks only TLS with a
 * certificate of the test's own authority; at LOG_LEVEL=debug, their whole output is read for the password.
 */
class SecureRedisIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** With characters a URL reserves, so the URL carries it percent-encoded: neither form may show. */
    private static final String PASSWORD = "p@ss:w/rd-" + UUID.randomUUID();
    private static final String ENCODED = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    private static final String WRONG = "wrong-" + UUID.randomUUID();
    private static final String PREFIX = "dray-test:";
    private static final String JOB = DrayClient.scriptJob("echo hi");
    private static CertificateAuthority ca;
    private static RedisServer withPassword;
    private static RedisServer overTls;
    private final List<DrayProcess> processes = new ArrayList<>();
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        TestDocker.buildImages();
        ca = CertificateAuthority.create();
        withPassword = new RedisServer("--requirepass", PASSWORD);
        withPassword.start();
        overTls = RedisServer.withTls(ca.issue("DNS:localhost", "IP:127.0.0.1"), "--requirepass", PASSWORD);
        overTls.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        withPassword.close();
        overTls.close();
    }

    @AfterEach
    void stopDray() throws Exception {
        TestDocker.awaitNoContainersOf(jobs);
        for (DrayProcess dray : processes) {
            dray.close();
        }
    }

    /** At LOG_LEVEL=debug, with these variables too, waiting until its admin port answers. */
    private DrayProcess start(String redisUrl, Map<String, String> environment, Path dataDirectory) throws Exception {
        Map<String, String> variables = new HashMap<>(environment);
        variables.put("LOG_LEVEL", "debug");
        DrayProcess dray = DrayProcess.startAnswering(redisUrl, PREFIX,
                Map.of("dataDirectory", dataDirectory.toString()), "", variables);
        processes.add(dray);
        return dray;
    }

    private static JsonNode redisHealth(DrayProcess dray) throws Exception {
        return JSON.readTree(new DrayClient(dray.adminUrl("")).get("/healthcheck").body()).get("redis");
    }

    /** @return the answer to its submission */
    private HttpResponse<String> runToCompletion(DrayProcess dray) throws Exception {
        DrayClient client = new DrayClient(dray.url(""));
        HttpResponse<String> created = client.post("/jobs", HttpRequest.BodyPublishers.ofString(JOB));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asText();
        jobs.add(id);
        assertThat(client.awaitFinished(id, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("complete");
        assertThat(client.log(id)).containsExactly("hi");
        return created;
    }

    /** What Dray answers about a job and itself on both its ports: everything it may show. */
    private static List<String> answers(DrayProcess dray, String jobId) throws Exception {
        DrayClient api = new DrayClient(dray.url(""));
        DrayClient admin = new DrayClient(dray.adminUrl(""));
        List<String> answers = new ArrayList<>();
        for (HttpResponse<String> answer : List.of(api.get("/jobs/" + jobId), api.get("/jobs/" + jobId + "/log"),
                api.get("/jobs"), api.get("/openapi.json"), admin.get("/healthcheck"), admin.get("/metrics"),
                admin.get("/prometheus"), admin.get("/threads"))) {
            answers.add(answer.body());
        }
        return answers;
    }

    /** Fails with the lines that show a secret, rather than with the whole of a long text. */
    private static void assertNoneShown(String where, String text, String... secrets) {
        for (String secret : secrets) {
            assertThat(text.lines().filter(line -> line.contains(secret)).toList()).as(where + " shows " + secret).isEmpty();
        }
    }

    private static void assertLogged(String log, String text) {
        assertThat(log.contains(text)).as("logged: " + text).isTrue();
    }

    private static void assertLoggedAtDebug(String log) {
        assertThat(log.lines().anyMatch(line -> line.startsWith("DEBUG ["))).as("a log at the level the test means").isTrue();
    }

    private static String filesUnder(Path directory) throws Exception {
        StringBuilder contents = new StringBuilder();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.append(file).append('\n').append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        return contents.toString();
    }

    @Test
    void withThePasswordInRedisUrlAJobCompletesAndThePasswordShowsNowhere() throws Exception {
        Path data = Files.createTempDirectory("dray-secure-redis-");
        DrayProcess dray = start("${REDIS_URL}", Map.of("REDIS_URL", withPassword.url(":" + ENCODED)), data);
        dray.awaitHealthy(Duration.ofSeconds(30));
        HttpResponse<String> created = runToCompletion(dray);
        String id = JSON.readTree(created.body()).get("id").asText();

        List<String> answers = new ArrayList<>(List.of(created.body()));
        answers.addAll(answers(dray, id));
        assertNoneShown("an answer", String.join("\n", answers), PASSWORD, ENCODED);
        String log = dray.log();
        assertLoggedAtDebug(log);
        assertLogged(log, "io.dray.store.RedisFactory: Redis at " + withPassword.url(":****") + "\n");
        assertNoneShown("Dray's output", log, PASSWORD, ENCODED);
        String writes = withPassword.writes();
        assertThat(writes).as("every write Dray made to Redis").contains(id);
        assertNoneShown("a write to Redis", writes, PASSWORD, ENCODED);
        assertNoneShown("a file in the data directory", filesUnder(data), PASSWORD, ENCODED);
    }

    @Test
    void withAWrongPasswordOrNoneDrayStartsAndSaysRedisIsUnavailableAndWhy() throws Exception {
        Path data = Files.createTempDirectory("dray-secure-redis-");
        DrayProcess wrong = start(withPassword.url(":" + WRONG), Map.of(), data);
        DrayProcess none = start(withPassword.url(), Map.of(), data);

        for (DrayProcess dray : List.of(wrong, none)) {
            String reason = dray == wrong ? "WRONGPASS invalid username-password pair or user is disabled." :
                    "NOAUTH Authentication required.";
            JsonNode health = redisHealth(dray);
            assertThat(health.get("healthy").asBoolean()).isFalse();
            assertThat(health.get("message").asText()).isEqualTo("Redis is unavailable: " + reason);
            HttpResponse<String> refused = new DrayClient(dray.url("")).post("/jobs", HttpRequest.BodyPublishers.ofString(JOB));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            // Without a password, Redis answers a command of many arguments with a protocol error instead of NOAUTH.
            List<String> reasons = dray == wrong ? List.of(reason)
                    : List.of(reason, "ERR Protocol error: unauthenticated multibulk length");
            assertThat(JSON.readTree(refused.body()).get("message").asText())
                    .isIn(reasons.stream().map(r -> "job store unavailable: Redis is unavailable: " + r).toList());
            List<String> answers = new ArrayList<>(List.of(refused.body()));
            answers.addAll(answers(dray, UUID.randomUUID().toString()));
            assertNoneShown("an answer", String.join("\n", answers), WRONG, PASSWORD, ENCODED);
            String log = dray.log();
            assertLoggedAtDebug(log);
            assertNoneShown("Dray's output", log, WRONG, PASSWORD, ENCODED);
        }
        assertLogged(wrong.log(), "io.dray.store.RedisFactory: Redis at " + withPassword.url(":****") + "\n");
        // Jedis's own account of the failed login, with its exception: its debug logging is in what was read.
        assertLogged(wrong.log(), "redis.clients.jedis.ConnectionFactory: Error while makeObject\n! "
                + JedisAccessControlException.class.getName() + ": WRONGPASS invalid username-password pair or user is"
                + " disabled.\n");
    }

    @Test
    void overTlsWithTheCaFileAJobCompletes() throws Exception {
        DrayProcess dray = start(overTls.url(":" + ENCODED).replace("127.0.0.1", "localhost"),
                Map.of("REDIS_CA_FILE", ca.certificate().toString()), Files.createTempDirectory("dray-secure-redis-"));
        dray.awaitHealthy(Duration.ofSeconds(30));
        runToCompletion(dray);
        String log = dray.log();
        assertLogged(log, "io.dray.store.RedisFactory: Redis at " + overTls.url(":****").replace("127.0.0.1", "localhost")
                + ", trusting the certificate authorities of " + ca.certificate() + "\n");
        assertLoggedAtDebug(log);
        assertNoneShown("Dray's output", log, PASSWORD, ENCODED);
    }

    @Test
    void overTlsWithoutTheCaFileDrayStartsAndSaysItDoesNotTrustRedis() throws Exception {
        DrayProcess dray = start(overTls.url(":" + ENCODED), Map.of(), Files.createTempDirectory("dray-secure-redis-"));
        JsonNode health = redisHealth(dray);
        assertThat(health.get("healthy").asBoolean()).isFalse();
        assertThat(health.get("message").asText()).isEqualTo("Redis is unavailable: javax.net.ssl.SSLHandshakeException:"
                + " PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find"
                + " valid certification path to requested target");
        assertNoneShown("Dray's output", dray.log(), PASSWORD, ENCODED);
    }
}
