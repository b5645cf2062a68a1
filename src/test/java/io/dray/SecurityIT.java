package io.dray;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisValues;
import io.dray.support.TestDocker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Only who may, can run containers: a real Dray process with API tokens (one given in config, one as a hash in a
 * file), a secret key, an image allow-list and small limits; its own log file is read to check what it printed.
 */
class SecurityIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "token-" + UUID.randomUUID();
    private static final String FILE_TOKEN = "file-token-" + UUID.randomUUID();
    private static final String SECRET = "s3cr3t-" + UUID.randomUUID();
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static DrayProcess dray;
    private static DrayClient client;
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        Path tokenHashes = Files.createTempFile("dray-tokens-", ".txt");
        Files.writeString(tokenHashes, "# one hash per line\n" + HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(FILE_TOKEN.getBytes(StandardCharsets.UTF_8))) + "\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        dray = DrayProcess.start(REDIS, PREFIX, "unix:///var/run/docker.sock", Map.of("dataDirectory",
                Files.createTempDirectory("dray-security-").toString()), """
                security:
                  apiTokens: "%s, another-token"
                  apiTokensFile: "%s"
                  secretKey: "%s"
                  allowedImages: "dray-example/*"
                  maxRequestSize: 4KiB
                  maxSteps: 3
                  maxEnvironmentVariables: 4
                  maxValueLength: 100
                  maxLogLines: 10
                """.formatted(TOKEN, tokenHashes, Base64.getEncoder().encodeToString(key)));
        client = new DrayClient(dray.url(""), TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        dray.close();
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    private String submit(String job) throws Exception {
        String id = client.submit(job);
        jobs.add(id);
        return id;
    }

    @Test
    void aRequestWithoutOrWithAWrongTokenGets401AndCreatesNothing() throws Exception {
        String job = DrayClient.scriptJob("echo hi");
        String known = submit(job);
        assertThat(client.awaitFinished(known, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("complete");
        int before = JSON.readTree(client.get("/jobs").body()).size();
        for (DrayClient stranger : List.of(new DrayClient(dray.url("")), new DrayClient(dray.url(""), "wrong"),
                new DrayClient(dray.url(""), TOKEN + "x"))) {
            HttpResponse<String> refused = stranger.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(refused.body()).get("message").asText())
                    .isEqualTo("missing or invalid API token: send Authorization: Bearer <token>");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"dray\"");
            assertThat(stranger.get("/jobs").statusCode()).isEqualTo(401);
            assertThat(stranger.get("/v1/jobs").statusCode()).isEqualTo(401);
            HttpResponse<String> status = stranger.get("/jobs/" + known);
            assertThat(status.statusCode()).isEqualTo(401);
            assertThat(status.body()).doesNotContain("complete");
        }
        assertThat(JSON.readTree(client.get("/jobs").body()).size()).isEqualTo(before);
        String viaFile = new DrayClient(dray.url(""), FILE_TOKEN).submit(job);
        jobs.add(viaFile);
        assertThat(new DrayClient(dray.url("")).get("/jobs/" + viaFile).statusCode()).isEqualTo(401);
        assertThat(new DrayClient(dray.adminUrl("")).get("/healthcheck").statusCode()).as("the admin port is separate").isEqualTo(200);
    }

    @Test
    void aSecretReachesTheContainerAndNothingElse() throws Exception {
        String job = JSON.writeValueAsString(Map.of(
                "environment", List.of(Map.of("variable", "API_KEY", "value", SECRET, "secret", true)),
                "steps", List.of(Map.of("source", TestDocker.SH, "environment", List.of(Map.of("variable", "SCRIPT",
                        "value", "[ \"$API_KEY\" = \"" + "$EXPECTED" + "\" ] && echo received; echo \"key is $API_KEY\"",
                        "secret", false), Map.of("variable", "EXPECTED", "value", SECRET, "secret", true))))));
        HttpResponse<String> created = client.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).doesNotContain(SECRET).contains("\"value\":\"****\"");
        String id = JSON.readTree(created.body()).get("id").asText();
        jobs.add(id);
        JsonNode end = client.awaitFinished(id, Duration.ofSeconds(60));
        assertThat(end.get("status").asText()).isEqualTo("complete");
        assertThat(client.log(id)).containsExactly("received", "key is ****");
        for (String path : List.of("/jobs", "/jobs/" + id, "/jobs/" + id + "/log")) {
            assertThat(client.get(path).body()).doesNotContain(SECRET);
        }
        assertThat(redisValuesUnderPrefix()).isNotEmpty().noneMatch(value -> value.contains(SECRET));
        assertThat(dray.log()).doesNotContain(SECRET);
    }

    @Test
    void stepsRunWithoutCapabilitiesOrNewPrivileges() throws Exception {
        String chown = submit(DrayClient.scriptJob("touch /tmp/f && chown 1234 /tmp/f && echo chowned"));
        String mount = submit(DrayClient.scriptJob("mkdir -p /mnt/x && mount -t tmpfs none /mnt/x && echo mounted"));
        String inspect = submit(DrayClient.scriptJob("echo started; sleep 5"));
        client.awaitLogLine(inspect, "started");
        String container = TestDocker.containersOfJob(inspect).get(0);
        assertThat(TestDocker.docker("inspect", "--format",
                "{{.HostConfig.Privileged}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.PidsLimit}}",
                container).trim()).isEqualTo("false [ALL] [no-new-privileges] 4096");
        for (String id : List.of(chown, mount)) {
            JsonNode end = client.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(end.get("status").asText()).isEqualTo("error");
            assertThat(client.log(id)).noneMatch(line -> line.equals("chowned") || line.equals("mounted"));
        }
        client.post("/jobs/" + inspect + "/cancel", HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void aJobWithAnImageOutsideTheAllowListIsRefusedBeforeAnythingRuns() throws Exception {
        int before = JSON.readTree(client.get("/jobs").body()).size();
        HttpResponse<String> refused = client.post("/jobs", HttpRequest.BodyPublishers.ofString(
                "{\"steps\": [{\"source\": \"dray-example/sh\"}, {\"source\": \"busybox:latest\"}]}"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).get("message").asText())
                .isEqualTo("step 2 (busybox:latest): image \"busybox:latest\" is not allowed here");
        assertThat(JSON.readTree(client.get("/jobs").body()).size()).isEqualTo(before);
    }

    @Test
    void inputPastTheLimitsIsRefusedWithAMessage() throws Exception {
        String big = "{\"steps\": [{\"source\": \"dray-example/sh\", \"name\": \"" + "x".repeat(5000) + "\"}]}";
        HttpResponse<String> sized = client.post("/jobs", HttpRequest.BodyPublishers.ofString(big));
        assertThat(sized.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(sized.body()).get("message").asText()).isEqualTo("the request body is larger than 4096 bytes");
        assertThat(sized.headers().firstValue("Connection")).as("the body was read and dropped: the connection stays")
                .isNotEqualTo(Optional.of("close"));
        HttpResponse<String> chunked = client.post("/jobs", HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
        assertThat(chunked.statusCode()).isEqualTo(413);

        HttpResponse<String> steps = client.post("/jobs", HttpRequest.BodyPublishers.ofString(
                DrayClient.scriptJob("true", "true", "true", "true")));
        assertThat(steps.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(steps.body()).get("message").asText()).isEqualTo("steps: 4 steps, at most 3 allowed");
        HttpResponse<String> value = client.post("/jobs", HttpRequest.BodyPublishers.ofString(
                DrayClient.scriptJob("echo " + "y".repeat(200))));
        assertThat(value.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(value.body()).get("message").asText())
                .isEqualTo("steps[0].environment[0].value is longer than 100 characters");
        String vars = JSON.writeValueAsString(Map.of("environment", List.of(
                Map.of("variable", "A", "value", "1"), Map.of("variable", "B", "value", "2"),
                Map.of("variable", "C", "value", "3"), Map.of("variable", "D", "value", "4")),
                "steps", List.of(Map.of("source", "dray-example/sh", "environment", List.of(Map.of("variable", "E", "value", "5"))))));
        HttpResponse<String> tooMany = client.post("/jobs", HttpRequest.BodyPublishers.ofString(vars));
        assertThat(tooMany.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(tooMany.body()).get("message").asText())
                .isEqualTo("environment: 5 variables in the job and its steps, at most 4 allowed");
    }

    /**
     * A client that sends its whole body before it reads the answer, as Python's urllib does (no
     * {@code Expect: 100-continue}), gets the 413 rather than a broken pipe, and may go on using its connection.
     */
    @Test
    void aClientThatSendsA20MegabyteBodyWithoutExpectReadsThe413() throws Exception {
        byte[] body = new byte[20 << 20];
        Arrays.fill(body, (byte) 'x');
        for (boolean chunked : List.of(false, true)) {
            try (Socket socket = new Socket("127.0.0.1", URI.create(dray.url("")).getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                String framing = chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n";
                out.write(("POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: application/json\r\n" + framing + "\r\n").getBytes(StandardCharsets.US_ASCII));
                if (chunked) {
                    for (int at = 0; at < body.length; at += 1 << 20) {
                        out.write(Integer.toHexString(1 << 20).concat("\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, at, 1 << 20);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(body); // a broken pipe here is what this test is about
                }
                out.flush();
                InputStream in = socket.getInputStream();
                String answer = readAnswer(in);
                assertThat(answer).as("chunked " + chunked).startsWith("HTTP/1.1 413")
                        .contains("the request body is larger than 4096 bytes");

                out.write(("GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readAnswer(in)).as("the same connection answers the next request").startsWith("HTTP/1.1 200");
            }
        }
    }

    /** One HTTP/1.1 answer with a Content-Length or chunked body, read off the socket. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed after: " + head);
            }
            head.append((char) b);
        }
        String headers = head.toString().toLowerCase(Locale.ROOT);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(headers);
        if (length.find()) {
            body.write(in.readNBytes(Integer.parseInt(length.group(1))));
        } else if (headers.contains("transfer-encoding: chunked")) {
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int b = in.read(); b != '\n'; b = in.read()) {
                    size.append((char) b);
                }
                int n = Integer.parseInt(size.toString().trim(), 16);
                body.write(in.readNBytes(n));
                in.readNBytes(2);
                if (n == 0) {
                    break;
                }
            }
        }
        return head + body.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theWholeLogIsAnsweredAndAPageHasAtMostTheConfiguredSize() throws Exception {
        String id = submit(DrayClient.scriptJob("i=0; while [ $i -lt 25 ]; do echo line-$i; i=$((i+1)); done"));
        client.awaitFinished(id, Duration.ofSeconds(60));
        assertThat(JSON.readTree(client.get("/jobs/" + id + "/log").body()).get("lines"))
                .as("without a limit, every line, as the original answered").hasSize(25);
        List<String> all = new ArrayList<>();
        List<Integer> pages = new ArrayList<>();
        JsonNode page = JSON.readTree(client.get("/jobs/" + id + "/log?limit=100").body());
        while (true) {
            pages.add(page.get("lines").size());
            page.get("lines").forEach(line -> all.add(line.asText()));
            if (page.get("next").isNull()) {
                break;
            }
            page = JSON.readTree(client.get("/jobs/" + id + "/log?limit=100&index=" + page.get("next").asLong()).body());
        }
        assertThat(pages).containsExactly(10, 10, 5);
        assertThat(all).hasSize(25).startsWith("line-0").endsWith("line-24");
    }

    private static List<String> redisValuesUnderPrefix() {
        return RedisValues.under(REDIS, PREFIX);
    }
}
