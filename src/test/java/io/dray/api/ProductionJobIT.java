package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What production jobs need, as the original's production fork (particle-iot/dray) and every peer have it: an input
 * for the first step, the step's identity in its environment, the fork's step fields as it sent them, commands,
 * retries. The whole application on real Docker and Redis.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ProductionJobIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FORK_IMAGES = List.of("randword", "upper", "reverse");
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", "dray-test-" + UUID.randomUUID() + ":"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()),
            ConfigOverride.config("engine.workers", "2"),
            ConfigOverride.config("engine.retryDelay", "100ms"),
            ConfigOverride.config("docker.allowedNetworkModes", "none"),
            ConfigOverride.config("security.maxInputSize", "1MiB"));

    private final List<String> jobs = new ArrayList<>();

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-production-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
        // The fork's README runs these images from Docker Hub; here they are the example images under the same names.
        FORK_IMAGES.forEach(name -> TestDocker.docker("tag", "dray-example/" + name, "centurylink/" + name));
    }

    @AfterAll
    static void removeForkNames() {
        FORK_IMAGES.forEach(name -> TestDocker.removeImage("centurylink/" + name));
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    private String url(String path) {
        return "http://localhost:" + APP.getLocalPort() + path;
    }

    private Response post(String body) {
        return APP.client().target(url("/jobs")).request().post(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    private JsonNode get(String path) throws Exception {
        Response response = APP.client().target(url(path)).request().get();
        assertThat(response.getStatus()).as("GET %s", path).isEqualTo(200);
        return JSON.readTree(response.readEntity(String.class));
    }

    private String submit(String body) throws Exception {
        Response response = post(body);
        String answer = response.readEntity(String.class);
        assertThat(response.getStatus()).as(answer).isEqualTo(201);
        String id = JSON.readTree(answer).get("id").asText();
        jobs.add(id);
        return id;
    }

    private String submit(Object job) throws Exception {
        return submit(JSON.writeValueAsString(job));
    }

    private JsonNode finished(String id) throws Exception {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !get("/jobs/" + id).get("status").asText().matches("queued|running"));
        return get("/jobs/" + id);
    }

    private List<String> log(String id) throws Exception {
        List<String> lines = new ArrayList<>();
        get("/jobs/" + id + "/log").get("lines").forEach(line -> lines.add(line.asText()));
        return lines;
    }

    private static Map<String, Object> script(String script) {
        return Map.of("source", TestDocker.SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", script)));
    }

    private static Map<String, Object> with(Map<String, Object> step, Object... more) {
        Map<String, Object> changed = new java.util.LinkedHashMap<>(step);
        for (int i = 0; i < more.length; i += 2) {
            changed.put((String) more[i], more[i + 1]);
        }
        return changed;
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    /** The fork's README example as it is printed there, tabs, "Exampel" typos and the comma after the last step. */
    private static final String FORK_DEMO_JOB = """
            {\s\s
            \t  "name":"Demo Job",
            \t  "steps":[\s\s
            \t    {\s\s
            \t      "name":"random-word",
            \t      "source":"centurylink/randword",
            \t      "environment":[\s\s
            \t        { "variable":"WORD_COUNT", "value":"10" }
            \t      ]
            \t    },
            \t    {\s\s
            \t      "name":"uppercase",
            \t      "source":"centurylink/upper"
            \t    },
            \t    {\s\s
            \t      "name":"reverse",
            \t      "source":"centurylink/reverse"
            \t    },\t    
            \t  ]
            \t}
            """;

    @Test
    void theForksExampleJobRunsAsItsReadmePrintsIt() throws Exception {
        String id = submit(FORK_DEMO_JOB);

        JsonNode status = finished(id);

        assertThat(status.get("status").asText()).isEqualTo("complete");
        assertThat(status.get("stepsCompleted").asInt()).isEqualTo(3);
        assertThat(status.get("name").asText()).isEqualTo("Demo Job");
        List<String> lines = log(id);
        assertThat(lines).hasSize(30);
        assertThat(lines.subList(20, 30)).allMatch(word -> word.matches("[A-Z]{8}"));
    }

    @Test
    void aForkJobWithItsIntegerFieldsRunsWithThemAndIsEchoedAsWritten() throws Exception {
        byte[] input = "from the fork\n".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> job = Map.of(
                "name", "fork fields",
                "input", Base64.getEncoder().encodeToString(input),
                "steps", List.of(
                        with(script("cat; sleep 3"), "networkMode", "none", "memory", 536870912, "cpuShares", 512,
                                "timeout", 60),
                        // What the fork sent for fields it left unset.
                        with(script("cat"), "networkMode", "", "memory", 0, "cpuShares", 0, "timeout", 0)));
        Response response = post(JSON.writeValueAsString(job));
        JsonNode echoed = JSON.readTree(response.readEntity(String.class));
        assertThat(response.getStatus()).as(echoed.toString()).isEqualTo(201);
        String id = echoed.get("id").asText();
        jobs.add(id);
        ((ObjectNode) echoed).remove("id");
        assertThat(echoed).isEqualTo(JSON.valueToTree(job));

        await().atMost(Duration.ofSeconds(30)).until(() -> TestDocker.containersOfJob(id).size() == 1);
        String container = TestDocker.containersOfJob(id).get(0);
        assertThat(TestDocker.docker("inspect", "--format",
                        "{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.HostConfig.NetworkMode}}", container).trim())
                .isEqualTo("536870912 512 none");

        JsonNode status = finished(id);
        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("complete");
        assertThat(log(id)).containsExactly("from the fork", "from the fork");
    }

    @Test
    void everyStepKnowsItsJobItsPlaceAndItsAttempt() throws Exception {
        String print = "env | grep '^DRAY_' | sort";
        String id = submit(Map.of("name", "who am I", "steps", List.of(
                with(script(print), "name", "first", "output", "stderr"),
                script(print))));

        assertThat(finished(id).get("status").asText()).isEqualTo("complete");
        assertThat(log(id)).containsExactly(
                "DRAY_CURRENT_STEP_INDEX=0", "DRAY_CURRENT_STEP_NAME=first", "DRAY_JOB_ID=" + id,
                "DRAY_JOB_NAME=who am I", "DRAY_STEP_ATTEMPT=1",
                "DRAY_CURRENT_STEP_INDEX=1", "DRAY_CURRENT_STEP_NAME=", "DRAY_JOB_ID=" + id,
                "DRAY_JOB_NAME=who am I", "DRAY_STEP_ATTEMPT=1");
    }

    @Test
    void aStepsCommandEntrypointWorkingDirectoryAndUserReplaceTheImages() throws Exception {
        String id = submit(Map.of("steps", List.of(
                Map.of("source", TestDocker.SH, "entrypoint", List.of("sh", "-c"),
                        "command", List.of("pwd; id -u; echo \"$0\"", "an argument"),
                        "workingDir", "/work", "user", "65534"),
                Map.of("source", TestDocker.SH, "command", List.of("echo", "from", "the", "command")),
                Map.of("source", TestDocker.SH, "entrypoint", List.of(), "command", List.of("echo", "no entrypoint")))));

        JsonNode status = finished(id);

        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("complete");
        assertThat(log(id)).containsExactly("/work", "65534", "an argument", "from the command", "no entrypoint");
    }

    @Test
    void aStepThatFailsTwiceSucceedsOnItsThirdAttemptOnTheSameInputAndTheLogShowsEveryAttempt() throws Exception {
        String id = submit(Map.of("steps", List.of(
                script("echo payload; echo more payload"),
                // Both lines of an attempt on stderr: lines of two streams may reach the log in either order.
                with(script("cat > /tmp/in; echo \"attempt $DRAY_STEP_ATTEMPT read $(md5sum < /tmp/in)\" >&2;"
                                + " if [ \"$DRAY_STEP_ATTEMPT\" -lt 3 ]; then echo \"attempt $DRAY_STEP_ATTEMPT fails\" >&2; exit 1; fi;"
                                + " cat /tmp/in"),
                        "name", "flaky", "retries", 2),
                script("echo \"passed on: $(md5sum)\""))));

        JsonNode status = finished(id);

        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("complete");
        JsonNode flaky = status.get("steps").get(1);
        assertThat(flaky.get("attempt").asInt()).isEqualTo(3);
        assertThat(flaky.get("state").asText()).isEqualTo("complete");
        String hash = md5("payload\nmore payload\n".getBytes(StandardCharsets.UTF_8)) + "  -";
        List<String> log = log(id);
        assertThat(log).hasSize(14);
        assertThat(log.subList(0, 10)).containsExactly(
                "payload", "more payload",
                "attempt 1 read " + hash,
                "attempt 1 fails",
                "[dray] step 2 (flaky) exited with code 1 (attempt 1 of 3); retrying in 100ms",
                "[dray] step 2 (flaky): attempt 2 begins",
                "attempt 2 read " + hash,
                "attempt 2 fails",
                "[dray] step 2 (flaky) exited with code 1 (attempt 2 of 3); retrying in 200ms",
                "[dray] step 2 (flaky): attempt 3 begins");
        // The third attempt's stderr and stdout lines may reach the log in either order.
        assertThat(log.subList(10, 13)).containsExactlyInAnyOrder("attempt 3 read " + hash, "payload", "more payload");
        assertThat(log.get(13)).isEqualTo("passed on: " + hash);
    }

    @Test
    void aStepOutOfRetriesEndsTheJobInError() throws Exception {
        String id = submit(Map.of("steps", List.of(with(script("echo try $DRAY_STEP_ATTEMPT; exit 4"), "retries", 1,
                "retryDelay", "10ms"))));

        JsonNode status = finished(id);

        assertThat(status.get("status").asText()).isEqualTo("error");
        assertThat(status.get("steps").get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(status.get("steps").get(0).get("exitCode").asInt()).isEqualTo(4);
        assertThat(log(id)).contains("try 1", "try 2").doesNotContain("try 3");
    }

    /** What the dashboard shows as a job's JSON, and what a user copies to run a job again. */
    @Test
    void aJobsDefinitionIsTheJobAsDrayKeepsItWithItsSecretsMasked() throws Exception {
        String secret = "definition-secret-" + java.util.UUID.randomUUID();
        Map<String, Object> job = Map.of(
                "name", "defined",
                "environment", List.of(Map.of("variable", "JOB_KEY", "value", secret, "secret", true),
                        Map.of("variable", "PLAIN", "value", "shown")),
                "input", Base64.getEncoder().encodeToString("12345".getBytes(StandardCharsets.UTF_8)),
                "timeout", "15m",
                "ttl", 3600,
                "steps", List.of(
                        with(script("cat"), "name", "first", "memory", "512m", "timeout", "1.5s", "retries", 2,
                                "retryDelay", "250ms", "output", "stderr", "refresh", false, "cpuShares", 0),
                        Map.of("source", TestDocker.SH, "command", List.of("sh", "-c", "cat"), "workingDir", "/",
                                "environment", List.of(Map.of("variable", "STEP_KEY", "value", secret, "secret", true)))));
        String id = submit(job);

        Response answer = APP.client().target(url("/jobs/" + id + "/definition")).request().get();
        String body = answer.readEntity(String.class);
        assertThat(answer.getStatus()).as(body).isEqualTo(200);
        assertThat(body).doesNotContain(secret);
        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("""
                {"id": "%s", "name": "defined",
                 "environment": [{"variable": "JOB_KEY", "value": "****", "secret": true},
                                 {"variable": "PLAIN", "value": "shown"}],
                 "steps": [{"name": "first", "source": "%s", "output": "stderr", "timeout": 1.5, "memory": 536870912,
                            "environment": [{"variable": "SCRIPT", "value": "cat"}], "retries": 2, "retryDelay": 0.25},
                           {"source": "%s", "output": "stdout", "command": ["sh", "-c", "cat"], "workingDir": "/",
                            "environment": [{"variable": "STEP_KEY", "value": "****", "secret": true}]}],
                 "timeout": 900, "ttl": 3600, "inputBytes": 5}
                """.formatted(id, TestDocker.SH, TestDocker.SH)));

        assertThat(finished(id).get("status").asText()).isEqualTo("complete");
        Response gone = APP.client().target(url("/jobs/NO-SUCH-JOB/definition")).request().get();
        assertThat(gone.getStatus()).isEqualTo(404);
        assertThat(JSON.readTree(gone.readEntity(String.class)).get("message").asText())
                .isEqualTo("no such job: NO-SUCH-JOB");
    }

    @Test
    void aBinaryInputReachesTheFirstStepByteForByteWhateverItsLineBreaks() throws Exception {
        byte[] input = new byte[200_000];
        new Random(16).nextBytes(input);
        String id = submit(Map.of(
                // MIME base64, with a line break every 76 characters, as base64(1) writes it.
                "input", Base64.getMimeEncoder().encodeToString(input),
                "steps", List.of(script("cat > /tmp/in; md5sum < /tmp/in; wc -c < /tmp/in"))));

        assertThat(finished(id).get("status").asText()).isEqualTo("complete");
        assertThat(log(id)).containsExactly(md5(input) + "  -", "200000");
    }

    @Test
    void aMultipartSubmissionCarriesItsInputAsAPart(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        byte[] input = new byte[300_000];
        new Random(3).nextBytes(input);
        Path inputFile = Files.write(directory.resolve("input.bin"), input);
        Path jobFile = Files.writeString(directory.resolve("job.json"),
                JSON.writeValueAsString(Map.of("name", "multipart", "steps", List.of(script("md5sum; echo done")))));

        JsonNode answer = curlMultipart(201, "job=@" + jobFile, "input=@" + inputFile);
        String id = answer.get("id").asText();
        jobs.add(id);
        assertThat(answer.get("name").asText()).isEqualTo("multipart");
        assertThat(answer.has("input")).isFalse();

        assertThat(finished(id).get("status").asText()).isEqualTo("complete");
        assertThat(log(id)).containsExactly(md5(input) + "  -", "done");
    }

    @Test
    void aMultipartSubmissionWithoutItsJobOrWithTwoInputsOrTooLargeAnInputIsRefused(
            @org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        int before = get("/jobs").size();
        Path inputFile = Files.write(directory.resolve("input.bin"), new byte[] {1, 2, 3});
        assertThat(curlMultipart(422, "input=@" + inputFile).get("message").asText())
                .contains("a part named \"job\"");

        Path withInput = Files.writeString(directory.resolve("job.json"), JSON.writeValueAsString(
                Map.of("input", "AQID", "steps", List.of(script("cat")))));
        assertThat(curlMultipart(422, "job=@" + withInput, "input=@" + inputFile).get("message").asText())
                .contains("input: given both in the job and as a part");

        Path empty = Files.writeString(directory.resolve("empty.json"), " \n");
        assertThat(curlMultipart(422, "job=@" + empty).get("message").asText()).isEqualTo("job: the part is empty");

        Path invalid = Files.writeString(directory.resolve("invalid.json"), "{\"steps\": [{\"name\": \"no source\"}]}");
        assertThat(curlMultipart(422, "job=@" + invalid).get("message").asText())
                .isEqualTo("steps[0].source must not be blank");

        Path largeJob = Files.writeString(directory.resolve("large.json"), JSON.writeValueAsString(
                Map.of("input", Base64.getEncoder().encodeToString(new byte[1 << 20]), "steps", List.of(script("cat")))));
        assertThat(curlMultipart(413, "job=@" + largeJob).get("message").asText())
                .as("a job part is held to the size of a JSON body").contains("the job part is larger than");

        Path tooLarge = Files.write(directory.resolve("large.bin"), new byte[3 << 20]);
        Path job = Files.writeString(directory.resolve("plain.json"), JSON.writeValueAsString(
                Map.of("steps", List.of(script("cat")))));
        assertThat(curlMultipart(413, "job=@" + job, "input=@" + tooLarge).get("message").asText())
                .contains("larger than");

        assertThat(get("/jobs").size()).isEqualTo(before);
    }

    /** POSTs a multipart form as {@code curl -F} sends it (what users of the API would type). */
    private JsonNode curlMultipart(int expectedStatus, String... parts) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "-", "-w", "\n%{http_code}"));
        for (String part : parts) {
            command.add("-F");
            command.add(part);
        }
        command.add(url("/jobs"));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).as(out).isZero();
        int newline = out.lastIndexOf('\n');
        assertThat(Integer.parseInt(out.substring(newline + 1).trim())).as(out).isEqualTo(expectedStatus);
        return JSON.readTree(out.substring(0, newline));
    }
}
