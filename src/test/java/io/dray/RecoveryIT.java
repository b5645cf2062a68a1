package io.dray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.SecondDockerEngine;
import io.dray.support.TestDocker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * What Dray promises when its own process dies or is stopped: real Dray processes, killed with kill -9 or stopped
 * with SIGTERM, sharing the real Redis (under a prefix of each test's own) and the real Docker engine.
 */
class RecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private final List<DrayProcess> processes = new ArrayList<>();
    private final List<String> jobs = new ArrayList<>();
    private String prefix;
    private Path dataDirectory;

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @BeforeEach
    void freshNamespace() throws Exception {
        prefix = "dray-test-" + UUID.randomUUID() + ":";
        dataDirectory = Files.createTempDirectory("dray-recovery-");
    }

    @AfterEach
    void stopAllAndCheckNothingIsLeft() throws Exception {
        try {
            // Containers are removed just after their step ends: wait for the removals before killing what runs them.
            TestDocker.awaitNoContainersOf(jobs);
        } finally {
            for (DrayProcess process : processes) {
                process.close();
            }
        }
    }

    private DrayProcess start(Map<String, String> engine) throws Exception {
        return start("unix:///var/run/docker.sock", engine);
    }

    private DrayProcess start(String dockerHost, Map<String, String> engine) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "dataDirectory", dataDirectory.toString(), "leaseTime", "2s", "workers", "3"));
        settings.putAll(engine);
        DrayProcess process = DrayProcess.start(REDIS, prefix, dockerHost, settings);
        processes.add(process);
        return process;
    }

    private String submit(DrayClient client, String job) throws Exception {
        String id = client.submit(job);
        jobs.add(id);
        return id;
    }

    /** Step 2 reads step 1's output, and is the one interrupted. */
    private static final String THREE_STEPS = DrayClient.scriptJob(
            "echo one",
            "cat; echo two-start >&2; sleep 4; echo two-end >&2",
            "sed s/^/three-/");

    @Test
    void aKilledInstancesJobIsResumedAtTheInterruptedStepAndItsLogKeepsBothAttempts() throws Exception {
        DrayProcess first = start(Map.of());
        DrayClient client = new DrayClient(first.url(""));
        String id = submit(client, THREE_STEPS);
        client.awaitLogLine(id, "two-start");
        first.kill();

        DrayProcess second = start(Map.of());
        DrayClient other = new DrayClient(second.url(""));
        JsonNode end = other.awaitFinished(id, Duration.ofSeconds(60));
        assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("complete");
        assertThat(end.get("stepsCompleted").asInt()).isEqualTo(3);
        // The log is only appended to: the interrupted attempt's line stays, and a line of Dray's says where the next
        // attempt begins.
        assertThat(other.log(id)).containsExactly("one", "one", "two-start",
                "[dray] step 2 (" + TestDocker.SH + "): attempt 2 begins", "one", "two-start", "two-end", "three-one");
        JsonNode step = end.get("steps").get(1);
        assertThat(step.get("attempt").asInt()).isEqualTo(2);
        TestDocker.awaitNoContainersOf(id);
    }

    @Test
    void anInterruptedJobWhoseKeptInputIsGoneEndsInErrorSayingSo() throws Exception {
        DrayProcess first = start(Map.of());
        DrayClient client = new DrayClient(first.url(""));
        String id = submit(client, THREE_STEPS);
        client.awaitLogLine(id, "two-start");
        first.kill();
        Path kept = dataDirectory.resolve("job-" + id).resolve("step-1.input");
        assertThat(kept).exists();
        Files.delete(kept);

        DrayProcess second = start(Map.of());
        JsonNode end = new DrayClient(second.url("")).awaitFinished(id, Duration.ofSeconds(60));
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText()).isEqualTo(
                "interrupted: the input of step 2 (" + TestDocker.SH + ") was lost with the instance that ran it");
        assertThat(end.get("stepsCompleted").asInt()).isEqualTo(1);
        TestDocker.awaitNoContainersOf(id);
    }

    @Test
    void onSigtermRunningJobsGoBackToTheQueueAndTheNextInstanceFinishesThem() throws Exception {
        DrayProcess first = start(Map.of("shutdownGrace", "1s"));
        DrayClient client = new DrayClient(first.url(""));
        String id = submit(client, DrayClient.scriptJob("echo one", "echo two-start; sleep 8; echo two-end"));
        client.awaitLogLine(id, "two-start");
        assertThat(first.terminate(Duration.ofSeconds(60))).isNotEqualTo(137);
        assertThat(TestDocker.containersOfJob(id)).as("the stopping instance removed its container").isEmpty();

        DrayProcess second = start(Map.of());
        DrayClient other = new DrayClient(second.url(""));
        JsonNode end = other.awaitFinished(id, Duration.ofSeconds(60));
        assertThat(end.get("status").asText()).isEqualTo("complete");
        assertThat(other.log(id)).containsExactly("one", "two-start",
                "[dray] step 2 (" + TestDocker.SH + "): attempt 2 begins", "two-start", "two-end");
    }

    /**
     * The lease is kept in Redis by a thread that never calls Docker: an instance whose Docker engine freezes for longer
     * than the lease keeps its job, and the step runs once, even with another instance ready to take jobs over. Its
     * health check says the engine is unhealthy while it stalls, within the check's own timeout (docker.connectTimeout,
     * 5 s) rather than hanging, and healthy again once it goes on.
     */
    @Test
    void anInstanceWhoseDockerEngineStallsLongerThanTheLeaseKeepsItsJobAndRunsItsStepOnce() throws Exception {
        try (SecondDockerEngine engine = new SecondDockerEngine()) {
            engine.start();
            engine.load(TestDocker.SH);
            DrayProcess stalled = start(engine.host(), Map.of());
            DrayClient client = new DrayClient(stalled.url(""));
            String id = submit(client, DrayClient.scriptJob("echo start; sleep 6; echo end"));
            client.awaitLogLine(id, "start");
            DrayProcess ready = start(Map.of());
            DrayClient admin = new DrayClient(stalled.adminUrl(""));
            engine.pause();
            try {
                long stallEnds = System.nanoTime() + Duration.ofSeconds(8).toNanos(); // four leases
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                        URI.create(stalled.adminUrl("/healthcheck"))).timeout(Duration.ofSeconds(7)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as(health.body()).isEqualTo(500);
                assertThat(JSON.readTree(health.body()).get("docker").get("healthy").asBoolean()).as(health.body())
                        .isFalse();
                Thread.sleep(Math.max(0, (stallEnds - System.nanoTime()) / 1_000_000));
            } finally {
                engine.resume();
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.get("/healthcheck").statusCode() == 200);

            DrayClient other = new DrayClient(ready.url(""));
            JsonNode end = other.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("complete");
            assertThat(other.log(id)).containsExactly("start", "end");
            try (RedisClient redis = RedisClient.create(java.net.URI.create(REDIS))) {
                assertThat(redis.hget(prefix + "job:" + id, "step:0:attempt")).as("attempts of the step").isEqualTo("1");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.containersOfJob(id).isEmpty());
        }
    }

    /** Three instances, one of them on a Docker engine of its own; one of the two on the main engine is killed. */
    @Test
    void severalInstancesShareTheWorkAndEveryJobEndsOnceWhenOneIsKilled() throws Exception {
        try (SecondDockerEngine engine = new SecondDockerEngine()) {
            engine.start();
            engine.load(TestDocker.SH);
            severalInstancesShareTheWork(engine);
        }
    }

    private void severalInstancesShareTheWork(SecondDockerEngine engine) throws Exception {
        List<DrayProcess> instances = List.of(start(Map.of()), start(Map.of()), start(engine.host(), Map.of()));
        List<DrayClient> clients = instances.stream().map(p -> new DrayClient(p.url(""))).toList();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(submit(clients.get(i % 3), DrayClient.scriptJob("echo job-" + i + "; sleep 0.5", "sed s/^/got-/")));
        }
        DrayClient survivor = clients.get(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().filter(id -> {
            try {
                return survivor.status(id).get("status").asText().equals("complete");
            } catch (Exception e) {
                return false;
            }
        }).count() >= 10);
        instances.get(0).kill();

        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            // Any instance answers for any job.
            JsonNode end = clients.get(1 + i % 2).awaitFinished(id, Duration.ofSeconds(120));
            assertThat(end.get("status").asText()).as("job %d: %s", i, end).isEqualTo("complete");
            // A job the killed instance ran is begun again: its log may hold the interrupted attempt's lines too.
            List<String> log = survivor.log(id);
            assertThat(log).as("job %d", i).endsWith("got-job-" + i);
            assertThat(log.stream().filter(line -> !line.startsWith("[dray] ")).distinct())
                    .as("job %d", i).containsExactly("job-" + i, "got-job-" + i);
        }
        for (String id : ids) {
            TestDocker.awaitNoContainersOf(id);
            assertThat(engine.containersOfJob(id)).isEmpty();
        }
        for (DrayProcess survivorInstance : instances.subList(1, 3)) {
            JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    new DrayClient(survivorInstance.adminUrl("")).get("/metrics").body());
            assertThat(metrics.get("meters").get("jobs.completed").get("count").asLong())
                    .as("jobs completed by the instance on port %s", survivorInstance.url("")).isPositive();
        }
    }
}
