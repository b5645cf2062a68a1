package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The API of the original Dray, served by the whole application on real Docker and Redis. */
@ExtendWith(DropwizardExtensionsSupport.class)
class JobResourceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", "dray-test-" + UUID.randomUUID() + ":"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()));

    private final List<String> jobs = new ArrayList<>();

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-api-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String fixture(String path) throws java.io.IOException {
        return Files.readString(java.nio.file.Path.of(resourceFilePath(path)));
    }

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    private String url(String path) {
        return "http://localhost:" + APP.getLocalPort() + path;
    }

    private Response post(String path, String body) {
        return APP.client().target(url(path)).request().post(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    private JsonNode get(String path, int expectedStatus) throws Exception {
        Response response = APP.client().target(url(path)).request().get();
        assertThat(response.getStatus()).as("GET %s", path).isEqualTo(expectedStatus);
        return JSON.readTree(response.readEntity(String.class));
    }

    private String submit(String body) throws Exception {
        Response response = post("/jobs", body);
        assertThat(response.getStatus()).isEqualTo(201);
        String id = JSON.readTree(response.readEntity(String.class)).get("id").asText();
        jobs.add(id);
        return id;
    }

    private static String scriptJob(String... scripts) throws Exception {
        List<Object> steps = new ArrayList<>();
        for (String script : scripts) {
            steps.add(Map.of("source", TestDocker.SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", script))));
        }
        return JSON.writeValueAsString(Map.of("steps", steps));
    }

    private JsonNode finished(String id) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !get("/jobs/" + id, 200).get("status").asText().matches("queued|running"));
        return get("/jobs/" + id, 200);
    }

    @Test
    void theOriginalsExampleJobRunsAndIsEchoedWithItsId() throws Exception {
        String fixture = Files.readString(java.nio.file.Path.of("examples/word-job.json"));
        Response response = post("/jobs", fixture);
        assertThat(response.getStatus()).isEqualTo(201);
        JsonNode echoed = JSON.readTree(response.readEntity(String.class));
        String id = echoed.get("id").asText();
        jobs.add(id);
        assertThat(id).matches("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
        assertThat(response.getLocation().getPath()).isEqualTo("/jobs/" + id);
        ((com.fasterxml.jackson.databind.node.ObjectNode) echoed).remove("id");
        assertThat(echoed).isEqualTo(JSON.readTree(fixture));

        JsonNode status = finished(id);
        assertThat(status.get("id").asText()).isEqualTo(id);
        assertThat(status.get("status").asText()).isEqualTo("complete");
        assertThat(status.get("stepsCompleted").asInt()).isEqualTo(3);
        assertThat(status.has("error")).isFalse();
        assertThat(status.get("finishedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        JsonNode steps = status.get("steps");
        assertThat(steps).hasSize(3);
        List<String> names = List.of("random-word", "uppercase", "reverse");
        List<String> sources = List.of("dray-example/randword", "dray-example/upper", "dray-example/reverse");
        for (int i = 0; i < 3; i++) {
            JsonNode step = steps.get(i);
            assertThat(step.get("index").asInt()).isEqualTo(i);
            assertThat(step.get("name").asText()).isEqualTo(names.get(i));
            assertThat(step.get("source").asText()).isEqualTo(sources.get(i));
            assertThat(step.get("state").asText()).isEqualTo("complete");
            assertThat(step.get("exitCode").asInt()).isZero();
            Instant started = Instant.parse(step.get("startedAt").asText());
            Instant finished = Instant.parse(step.get("finishedAt").asText());
            assertThat(started).isBeforeOrEqualTo(finished).isAfterOrEqualTo(Instant.parse(status.get("startedAt").asText()));
            assertThat(finished).isBeforeOrEqualTo(Instant.parse(status.get("finishedAt").asText()));
            assertThat(step.has("error")).isFalse();
        }

        JsonNode lines = get("/jobs/" + id + "/log", 200).get("lines");
        assertThat(lines).hasSize(30);
        for (int i = 0; i < 10; i++) {
            String word = lines.get(i).asText();
            assertThat(lines.get(10 + i).asText()).isEqualTo(word.toUpperCase());
            assertThat(lines.get(20 + i).asText()).isEqualTo(new StringBuilder(word.toUpperCase()).reverse().toString());
        }
        JsonNode fromIndex = get("/jobs/" + id + "/log?index=28", 200).get("lines");
        assertThat(fromIndex).containsExactly(lines.get(28), lines.get(29));
    }

    @Test
    void aFailedJobSaysWhichStepFailedAndHow() throws Exception {
        String id = submit(scriptJob("echo one", "echo oops >&2; exit 7", "echo never"));
        JsonNode status = finished(id);
        assertThat(status.get("status").asText()).isEqualTo("error");
        assertThat(status.get("stepsCompleted").asInt()).isEqualTo(1);
        assertThat(status.get("error").asText()).isEqualTo("step 2 (" + TestDocker.SH + ") exited with code 7");
        assertThat(status.get("steps")).extracting(step -> step.get("state").asText())
                .containsExactly("complete", "error", "skipped");
        JsonNode failed = status.get("steps").get(1);
        assertThat(failed.get("exitCode").asInt()).isEqualTo(7);
        assertThat(failed.get("error").asText()).isEqualTo(status.get("error").asText());
        JsonNode never = status.get("steps").get(2);
        assertThat(never.has("exitCode")).isFalse();
        assertThat(never.has("startedAt")).isFalse();
        assertThat(get("/jobs/" + id + "/log", 200).get("lines")).extracting(JsonNode::asText).containsExactly("one", "oops");
    }

    @Test
    void jobsAreListedOldestFirstAndDeletedWithEverythingTheyKept() throws Exception {
        String first = submit(scriptJob("echo a"));
        String second = submit(scriptJob("echo b"));
        finished(first);
        finished(second);
        List<String> ids = new ArrayList<>();
        get("/jobs", 200).forEach(job -> ids.add(job.get("id").asText()));
        assertThat(ids).containsSubsequence(first, second);

        Response deleted = APP.client().target(url("/jobs/" + first)).request().delete();
        assertThat(deleted.getStatus()).isEqualTo(204);
        assertThat(get("/jobs/" + first, 404).get("message").asText()).isEqualTo("no such job: " + first);
        assertThat(get("/jobs/" + first + "/log", 404).get("code").asInt()).isEqualTo(404);
        assertThat(APP.client().target(url("/jobs/" + first)).request().delete().getStatus()).isEqualTo(404);
        List<String> after = new ArrayList<>();
        get("/jobs", 200).forEach(job -> after.add(job.get("id").asText()));
        assertThat(after).contains(second).doesNotContain(first);
    }

    @Test
    void aJobWaitingForTheOnlyWorkerIsQueued() throws Exception {
        String busy = submit(scriptJob("sleep 2"));
        String waiting = submit(scriptJob("echo done"));
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/jobs/" + busy, 200).get("status").asText().equals("running"));
        assertThat(get("/jobs/" + waiting, 200).get("status").asText()).isEqualTo("queued");
        assertThat(finished(waiting).get("status").asText()).isEqualTo("complete");
    }

    /** Polls are answered before Jersey (JobStatusFilter); whatever that path hands on, Jersey answers alike. */
    @Test
    void aJobsStatusReadsTheSameWhicheverWayItIsAsked() throws Exception {
        String id = submit(scriptJob("echo hi"));
        String expected = finished(id).toString();
        for (String accept : List.of("application/json", "*/*", "application/*", "text/plain, application/json")) {
            Response response = APP.client().target(url("/jobs/" + id)).request().header("Accept", accept).get();
            assertThat(response.getStatus()).as(accept).isEqualTo(200);
            assertThat(response.getMediaType().toString()).as(accept).startsWith("application/json");
            assertThat(JSON.readTree(response.readEntity(String.class)).toString()).as(accept).isEqualTo(expected);
        }
        assertThat(APP.client().target(url("/jobs/" + id)).request().head().getStatus()).isEqualTo(200);
        Response notJson = APP.client().target(url("/jobs/" + id)).request().header("Accept", "text/plain").get();
        assertThat(notJson.getStatus()).isEqualTo(406);
        JsonNode notFound = get("/jobs/" + id + "x", 404);
        assertThat(notFound.get("message").asText()).isEqualTo("no such job: " + id + "x");
        Response viaJersey = APP.client().target(url("/jobs/" + id + "x")).request().header("Accept", "application/*").get();
        assertThat(viaJersey.getStatus()).isEqualTo(404);
        assertThat(JSON.readTree(viaJersey.readEntity(String.class))).isEqualTo(notFound);
    }

    @Test
    void aStatusRequestCanWaitForTheJobToEnd() throws Exception {
        String id = submit(scriptJob("sleep 1; echo done"));
        JsonNode end = get("/jobs/" + id + "?wait=20s", 200);
        assertThat(end.get("status").asText()).isEqualTo("complete");
        assertThat(end.toString()).isEqualTo(get("/jobs/" + id, 200).toString());
    }

    @Test
    void aWaitingRequestIsAnsweredWhenTheJobIsCancelled() throws Exception {
        String id = submit(scriptJob("sleep 30"));
        Future<Response> waiting = APP.client().target(url("/jobs/" + id)).queryParam("wait", "20")
                .request().async().get();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/jobs/" + id, 200).get("status").asText().equals("running"));
        assertThat(post("/jobs/" + id + "/cancel", "").getStatus()).isEqualTo(200);
        Response answer = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answer.getStatus()).isEqualTo(200);
        assertThat(JSON.readTree(answer.readEntity(String.class)).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void aWaitThatIsNotADurationIsRefused() throws Exception {
        String id = submit(scriptJob("echo hi"));
        assertThat(get("/jobs/" + id + "?wait=soon", 400).get("message").asText())
                .isEqualTo("wait: \"soon\" is not a duration: write seconds, or e.g. 90s, 15m, 2h");
        assertThat(get("/jobs/" + id + "?wait=0", 400).get("message").asText())
                .isEqualTo("wait: \"0\" is not a positive duration");
        assertThat(get("/jobs/NO-SUCH-JOB?wait=1s", 404).get("message").asText()).isEqualTo("no such job: NO-SUCH-JOB");
    }

    @Test
    void everyRouteAlsoAnswersUnderAVersionPrefix() throws Exception {
        Response response = post("/v1/jobs", scriptJob("echo versioned"));
        assertThat(response.getStatus()).isEqualTo(201);
        String id = JSON.readTree(response.readEntity(String.class)).get("id").asText();
        jobs.add(id);
        finished(id);
        assertThat(get("/v1.0/jobs/" + id, 200).get("status").asText()).isEqualTo("complete");
        assertThat(get("/v2.1.3/jobs/" + id + "/log?index=0", 200).get("lines").get(0).asText()).isEqualTo("versioned");
        assertThat(get("/v1/jobs", 200).toString()).contains(id);
        assertThat(APP.client().target(url("/v1/jobs/" + id)).request().delete().getStatus()).isEqualTo(204);
        get("/vx/jobs", 404);
    }

    @Test
    void unknownJobsAnswer404WithAMessage() throws Exception {
        JsonNode error = get("/jobs/NO-SUCH-JOB", 404);
        assertThat(error.get("code").asInt()).isEqualTo(404);
        assertThat(error.get("message").asText()).isEqualTo("no such job: NO-SUCH-JOB");
    }

    @Test
    void aBadLogIndexIsTheClientsFault() throws Exception {
        String id = submit(scriptJob("echo x"));
        assertThat(get("/jobs/" + id + "/log?index=abc", 400).get("message").asText()).contains("index");
        assertThat(get("/jobs/" + id + "/log?index=-1", 422).get("message").asText()).contains("index must be 0 or more");
    }

    static Stream<JsonNode> invalidJobs() throws Exception {
        JsonNode cases = JSON.readTree(fixture("fixtures/invalid-jobs.json"));
        List<JsonNode> list = new ArrayList<>();
        cases.forEach(list::add);
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("invalidJobs")
    void badInputIsAnsweredWithAMessageNamingTheProblemAndCreatesNothing(JsonNode invalid) throws Exception {
        int before = get("/jobs", 200).size();
        Response response = post("/jobs", invalid.get("body").asText());
        String body = response.readEntity(String.class);
        assertThat(response.getStatus()).as(body).isEqualTo(invalid.get("status").asInt());
        JsonNode error = JSON.readTree(body);
        assertThat(error.get("code").asInt()).isEqualTo(invalid.get("status").asInt());
        assertThat(error.get("message").asText()).contains(invalid.get("message").asText());
        assertThat(get("/jobs", 200).size()).isEqualTo(before);
    }

    @Test
    void theAdminPortReportsRedisAndDockerHealth() throws Exception {
        Response response = APP.client().target("http://localhost:" + APP.getAdminPort() + "/healthcheck").request().get();
        JsonNode health = JSON.readTree(response.readEntity(String.class));
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(health.get("redis").get("healthy").asBoolean()).isTrue();
        assertThat(health.get("docker").get("healthy").asBoolean()).isTrue();
        JsonNode metrics = JSON.readTree(APP.client().target("http://localhost:" + APP.getAdminPort() + "/metrics")
                .request().get(String.class));
        assertThat(metrics.get("meters").has("jobs.submitted")).isTrue();
        assertThat(metrics.get("gauges").has("jobs.queued")).isTrue();
        assertThat(metrics.get("timers").has("steps.duration")).isTrue();
    }
}
