package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.DrayClient;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cancel can arrive in any phase of a step's life (queued, claimed, pulled, created, starting, running): on the real
 * Docker engine and Redis, a hundred cancels at random moments never leave a container running.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CancelRaceIT {
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", PREFIX),
            ConfigOverride.config("engine.workers", "4"),
            ConfigOverride.config("engine.maxQueuedJobs", "200"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()),
            ConfigOverride.config("docker.stopGrace", STOP_GRACE.toSeconds() + "s"));

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-cancel-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @Test
    void everyJobCancelledAtARandomMomentEndsCancelledAndItsContainersAreGoneWithinTheStopGrace() throws Exception {
        DrayClient client = new DrayClient("http://localhost:" + APP.getLocalPort());
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        Map<String, Long> cancelledAt = new ConcurrentHashMap<>();
        ScheduledExecutorService cancels = Executors.newScheduledThreadPool(4);
        List<ScheduledFuture<Integer>> answers = new ArrayList<>();
        AtomicReference<RuntimeException> watchFailure = new AtomicReference<>();
        Thread watcher = new Thread(() -> watchContainers(lastSeen, watchFailure), "container-watcher");
        watcher.setDaemon(true);
        watcher.start();
        List<String> ids = new ArrayList<>();
        Random random = new Random();
        try {
            for (int i = 0; i < 100; i++) {
                String id = client.submit(DrayClient.scriptJob("echo started; sleep 40", "echo never"));
                ids.add(id);
                answers.add(cancels.schedule(() -> {
                    var answer = client.post("/jobs/" + id + "/cancel", HttpRequest.BodyPublishers.noBody());
                    cancelledAt.put(id, System.nanoTime());
                    return answer.statusCode();
                }, random.nextInt(501), TimeUnit.MILLISECONDS));
            }
            for (ScheduledFuture<Integer> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).as("the cancel's answer").isEqualTo(200);
            }
            cancels.shutdown();
            for (String id : ids) {
                JsonNode end = client.awaitFinished(id, Duration.ofSeconds(30));
                assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("cancelled");
                assertThat(end.get("steps").get(1).get("state").asText()).isEqualTo("skipped");
            }
            TestDocker.awaitNoContainersOf(ids);
            Thread.sleep(500); // one more look by the watcher
            assertThat(watcher.isAlive()).as("the watcher looked until the end").isTrue();
        } finally {
            watcher.interrupt();
        }
        assertThat(watchFailure.get()).as("docker ps failed").isNull();
        assertThat(lastSeen).as("some jobs had containers: the race was run").isNotEmpty();
        long allowed = STOP_GRACE.plusSeconds(2).toNanos();
        System.out.printf("CancelRaceIT: %d jobs had containers; the longest outlived its cancel by %d ms%n",
                lastSeen.size(), lastSeen.entrySet().stream()
                        .mapToLong(e -> (e.getValue() - cancelledAt.get(e.getKey())) / 1_000_000).max().orElse(0));
        for (String id : ids) {
            Long seen = lastSeen.get(id);
            if (seen != null) {
                assertThat(Duration.ofNanos(seen - cancelledAt.get(id)))
                        .as("how long a container of job %s outlived its cancel", id)
                        .isLessThanOrEqualTo(Duration.ofNanos(allowed));
            }
        }
    }

    /** Records, for each job, when a container of it was last seen on the engine (running or not). */
    private static void watchContainers(Map<String, Long> lastSeen, AtomicReference<RuntimeException> failure) {
        while (!Thread.currentThread().isInterrupted()) {
            String jobs;
            try {
                jobs = TestDocker.docker("ps", "-a", "--filter", "label=dray.namespace=" + PREFIX,
                        "--format", "{{.Label \"dray.job\"}}");
            } catch (IllegalStateException e) {
                if (!Thread.currentThread().isInterrupted() && !(e.getCause() instanceof InterruptedException)) {
                    failure.set(e);
                }
                return;
            }
            long now = System.nanoTime();
            for (String job : jobs.split("\\s+")) {
                if (!job.isBlank()) {
                    lastSeen.put(job, now);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
