package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import io.dray.core.StoreUnavailableException;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

/** The store on a real Redis, under a prefix of its own. */
class RedisJobStoreIT {
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static RedisClient redis;
    private static RedisJobStore store;

    @BeforeAll
    static void connect() {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        redis = factory.build();
        store = new RedisJobStore(redis, PREFIX, Jackson.newObjectMapper());
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    private static Job newJob() {
        Step step = new Step("s", "img:1", List.of(new EnvVar("K", "v")), OutputChannel.parse("/out.txt"), true, "B", "E");
        return new Job(UUID.randomUUID().toString(), "name", List.of(new EnvVar("J", "w")), List.of(step));
    }

    private static Job created() {
        Job job = newJob();
        store.create(job, JobState.queued(job.id(), T0));
        return job;
    }

    private static List<String> keysOf(String jobId) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = redis.scan(cursor, new ScanParams().match(PREFIX + "job:" + jobId + "*"));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    @Test
    void aCreatedJobReadsBackWholeWithItsQueuedState() {
        Job job = created();
        assertThat(store.findJob(job.id())).contains(job);
        assertThat(store.findState(job.id())).contains(JobState.queued(job.id(), T0));
    }

    @Test
    void jobsAreListedOldestFirst() {
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> created().id()).toList();
        assertThat(store.listIds()).containsSubsequence(ids);
    }

    @Test
    void statesAreSavedWhole() {
        Job job = created();
        JobState failed = JobState.queued(job.id(), T0).started(T0.plusSeconds(1)).stepSucceeded()
                .failed("step 2 (x) exited with code 1", T0.plusSeconds(2));
        assertThat(store.saveState(failed)).isTrue();
        assertThat(store.findState(job.id())).contains(failed);
    }

    @Test
    void logLinesAreReadFromAnIndex() {
        Job job = created();
        assertThat(store.appendLog(job.id(), List.of("a", "b"))).isTrue();
        assertThat(store.appendLog(job.id(), List.of("c", "", "é ✓"))).isTrue();
        assertThat(store.readLog(job.id(), 0)).contains(List.of("a", "b", "c", "", "é ✓"));
        assertThat(store.readLog(job.id(), 3)).contains(List.of("", "é ✓"));
        assertThat(store.readLog(job.id(), 10)).contains(List.of());
        assertThat(store.readLog("no-such-job", 0)).isEmpty();
    }

    @Test
    void deleteRemovesEveryKeyOfTheJob() {
        Job job = created();
        store.appendLog(job.id(), List.of("line"));
        assertThat(store.delete(job.id())).isTrue();
        assertThat(keysOf(job.id())).isEmpty();
        assertThat(store.listIds()).doesNotContain(job.id());
        assertThat(store.delete(job.id())).isFalse();
    }

    @Test
    void aDeletedJobIsNeverWrittenAgain() {
        Job job = created();
        store.delete(job.id());
        assertThat(store.saveState(JobState.queued(job.id(), T0).started(T0))).isFalse();
        assertThat(store.appendLog(job.id(), List.of("late"))).isFalse();
        assertThat(keysOf(job.id())).isEmpty();
        assertThat(store.findState(job.id())).isEmpty();
    }

    @Test
    void anUnreachableRedisIsReportedAsUnavailable() {
        RedisFactory factory = new RedisFactory();
        factory.setUrl("redis://127.0.0.1:1");
        factory.setConnectTimeout(Duration.milliseconds(500));
        try (RedisClient down = factory.build()) {
            RedisJobStore unreachable = new RedisJobStore(down, PREFIX, Jackson.newObjectMapper());
            assertThatThrownBy(unreachable::listIds)
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis is unavailable");
            assertThatThrownBy(() -> unreachable.create(newJob(), JobState.queued("x", T0)))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }
}
