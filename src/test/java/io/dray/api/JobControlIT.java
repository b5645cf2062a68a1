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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stopping jobs on purpose and by limit: cancel, delete, timeouts, memory and CPU limits, on real Docker and Redis. */
@ExtendWith(DropwizardExtensionsSupport.class)
class JobControlIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", "dray-test-" + UUID.randomUUID() + ":"),
            ConfigOverride.config("engine.workers", "2"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()),
            ConfigOverride.config("docker.stopGrace", "2s"));

    private final List<String> jobs = new ArrayList<>();

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-control-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    private JsonNode read(Response response) throws Exception {
        return JSON.readTree(response.readEntity(String.class));
    }

    private JsonNode status(String id) throws Exception {
        return read(APP.client().target(url("/jobs/" + id)).request().get());
    }

    private List<String> log(String id) throws Exception {
        List<String> lines = new ArrayList<>();
        read(APP.client().target(url("/jobs/" + id + "/log")).request().get()).get("lines").forEach(l -> lines.add(l.asText()));
        return lines;
    }

    private static Map<String, Object> step(String script, Map<String, Object> extra) {
        Map<String, Object> step = new HashMap<>(extra);
        step.put("source", TestDocker.SH);
        step.put("environment", List.of(Map.of("variable", "SCRIPT", "value", script)));
        return step;
    }

    private String submit(Map<String, Object> job) throws Exception {
        Response response = post("/jobs", JSON.writeValueAsString(job));
        assertThat(response.getStatus()).isEqualTo(201);
        String id = read(response).get("id").asText();
        jobs.add(id);
        return id;
    }

    private String submitSteps(Map<String, Object>... steps) throws Exception {
        return submit(Map.of("steps", List.of(steps)));
    }

    private JsonNode finished(String id) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !status(id).get("status").asText().matches("queued|running"));
        return status(id);
    }

    private void awaitLogLine(String id, String line) {
        await().atMost(Duration.ofSeconds(30)).until(() -> log(id).contains(line));
    }

    @Test
    void cancelStopsTheRunningContainerAndLaterStepsNeverStart() throws Exception {
        String id = submitSteps(step("echo started; sleep 60", Map.of()), step("echo never", Map.of()));
        awaitLogLine(id, "started");
        Response response = post("/jobs/" + id + "/cancel?reason=no%20longer%20needed", "");
        assertThat(response.getStatus()).isEqualTo(200);
        JsonNode cancelled = read(response);
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("error").asText()).isEqualTo("cancelled by a request from 127.0.0.1: no longer needed");
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDocker.containersOfJob(id).isEmpty());
        Thread.sleep(1000);
        assertThat(status(id).get("status").asText()).isEqualTo("cancelled");
        assertThat(status(id).get("stepsCompleted").asInt()).isZero();
        assertThat(log(id)).containsExactly("started");
    }

    @Test
    void aCancelledQueuedJobNeverRuns() throws Exception {
        String first = submitSteps(step("sleep 3", Map.of()));
        String second = submitSteps(step("sleep 3", Map.of()));
        String waiting = submitSteps(step("echo never", Map.of()));
        assertThat(status(waiting).get("status").asText()).isEqualTo("queued");
        assertThat(read(post("/jobs/" + waiting + "/cancel", "")).get("status").asText()).isEqualTo("cancelled");
        finished(first);
        finished(second);
        Thread.sleep(1000);
        assertThat(status(waiting).get("status").asText()).isEqualTo("cancelled");
        assertThat(log(waiting)).isEmpty();
    }

    @Test
    void cancellingAFinishedJobIsAConflictAndAnUnknownJobIsNotFound() throws Exception {
        String id = submitSteps(step("echo done", Map.of()));
        finished(id);
        Response conflict = post("/jobs/" + id + "/cancel", "");
        assertThat(conflict.getStatus()).isEqualTo(409);
        assertThat(read(conflict).get("message").asText()).isEqualTo("job " + id + " has already ended (complete)");
        assertThat(status(id).get("status").asText()).isEqualTo("complete");
        assertThat(post("/jobs/NO-SUCH-JOB/cancel", "").getStatus()).isEqualTo(404);
    }

    @Test
    void deletingARunningJobStopsItFirst() throws Exception {
        String id = submitSteps(step("echo started; sleep 60", Map.of()), step("echo never", Map.of()));
        awaitLogLine(id, "started");
        assertThat(APP.client().target(url("/jobs/" + id)).request().delete().getStatus()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDocker.containersOfJob(id).isEmpty());
        Thread.sleep(1000);
        assertThat(APP.client().target(url("/jobs/" + id)).request().get().getStatus()).isEqualTo(404);
    }

    @Test
    void aStepPastItsTimeoutIsStoppedAndTheJobSaysWhich() throws Exception {
        String id = submitSteps(step("echo one", Map.of()),
                step("echo started; sleep 60", Map.of("name", "slow", "timeout", "1s")), step("echo never", Map.of()));
        JsonNode end = finished(id);
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText()).isEqualTo("step 2 (slow) timed out after 1s");
        assertThat(end.get("stepsCompleted").asInt()).isEqualTo(1);
        assertThat(log(id)).containsExactly("one", "started");
    }

    @Test
    void aJobPastItsTimeoutIsStopped() throws Exception {
        String id = submit(Map.of("timeout", 2, "steps", List.of(
                step("sleep 1; echo a", Map.of()), step("sleep 1; echo b", Map.of()), step("sleep 1; echo c", Map.of()))));
        JsonNode end = finished(id);
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText()).isEqualTo("job timed out after 2s");
        assertThat(log(id)).doesNotContain("c");
    }

    @Test
    void memoryAndCpuLimitsReachTheContainer() throws Exception {
        String id = submitSteps(step("echo started; sleep 5", Map.of("memory", "64m", "cpus", 0.5)));
        awaitLogLine(id, "started");
        String container = TestDocker.containersOfJob(id).get(0);
        assertThat(TestDocker.docker("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", container).trim())
                .isEqualTo((64L << 20) + " 500000000");
        post("/jobs/" + id + "/cancel", "");
    }

    @Test
    void aStepKilledForItsMemoryFailsSayingSo() throws Exception {
        String id = submitSteps(step("x=$(head -c 200000000 /dev/zero | tr \"\\0\" a); echo ${#x}",
                Map.of("name", "hungry", "memory", "16m")));
        JsonNode end = finished(id);
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText())
                .isEqualTo("step 1 (hungry) was killed for using more memory than its limit (16777216 bytes)");
    }

    @Test
    void timeoutsAndLimitsAreEchoedAndCheckedOnInput() throws Exception {
        Response ok = post("/jobs", "{\"timeout\": \"15m\", \"steps\": [{\"source\": \"" + TestDocker.SH
                + "\", \"timeout\": 90, \"memory\": \"512m\", \"cpus\": 1.5, \"environment\": [{\"variable\": \"SCRIPT\", \"value\": \"true\"}]}]}");
        assertThat(ok.getStatus()).isEqualTo(201);
        JsonNode echoed = read(ok);
        jobs.add(echoed.get("id").asText());
        assertThat(echoed.get("timeout").asText()).isEqualTo("15m");
        assertThat(echoed.get("steps").get(0).get("timeout").asInt()).isEqualTo(90);

        Response badTimeout = post("/jobs", "{\"steps\": [{\"source\": \"x\", \"timeout\": \"soon\"}]}");
        assertThat(badTimeout.getStatus()).isEqualTo(422);
        assertThat(read(badTimeout).get("message").asText()).startsWith("steps[0].timeout is invalid: \"soon\" is not a duration");
        Response badMemory = post("/jobs", "{\"steps\": [{\"source\": \"x\", \"memory\": \"lots\"}]}");
        assertThat(badMemory.getStatus()).isEqualTo(422);
        assertThat(read(badMemory).get("message").asText()).startsWith("steps[0].memory must be a number of bytes");
        Response badCpus = post("/jobs", "{\"steps\": [{\"source\": \"x\", \"cpus\": 0}]}");
        assertThat(badCpus.getStatus()).isEqualTo(422);
        assertThat(read(badCpus).get("message").asText()).isEqualTo("steps[0].cpus must be at least 0.01");
    }
}
