package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dray.core.Claim;
import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import io.dray.core.StoreUnavailableException;
import io.dropwizard.jackson.Jackson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

/** The store on a real Redis, under a prefix of its own. */
class RedisJobStoreIT {
    private static final SecretCipher TEST_CIPHER = new SecretCipher(new byte[32]);
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static RedisClient redis;
    private static RedisJobStore store;

    @BeforeAll
    static void connect() {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        redis = factory.build();
        store = new RedisJobStore(redis, PREFIX, Jackson.newObjectMapper(), TEST_CIPHER);
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    private static Job newJob() {
        Step step = new Step("s", "img:1", List.of(new EnvVar("K", "v")), OutputChannel.parse("/out.txt"), true, "B", "E",
                java.time.Duration.ofSeconds(90), 512L << 20, 0.5);
        return new Job(UUID.randomUUID().toString(), "name", List.of(new EnvVar("J", "w")), List.of(step),
                java.time.Duration.ofMinutes(15));
    }

    private static Job created() {
        Job job = newJob();
        assertThat(store.enqueue(job, JobState.queued(job.id(), T0), 1_000_000)).isTrue();
        return job;
    }

    /** Claims jobs until it gets this one: other tests' jobs may be in front of it in the queue. */
    private static Claim claim(Job job, String instance) {
        for (int i = 0; i < 100; i++) {
            Optional<Claim> claim = store.claimNext(instance, Duration.ofMillis(100));
            if (claim.isPresent() && claim.get().jobId().equals(job.id())) {
                return claim.get();
            }
        }
        throw new AssertionError("job " + job.id() + " was never claimed");
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
        assertThat(claim(job, "a").job()).isEqualTo(job);
        assertThat(store.findState(job.id())).contains(JobState.queued(job.id(), T0));
    }

    @Test
    void jobsAreListedOldestFirst() {
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> created().id()).toList();
        assertThat(store.listIds()).containsSubsequence(ids);
    }

    @Test
    void theQueueRefusesJobsPastItsLimitAndWritesNothing() {
        created();
        Job refused = newJob();
        assertThat(store.enqueue(refused, JobState.queued(refused.id(), T0), (int) store.queueLength())).isFalse();
        assertThat(store.findState(refused.id())).isEmpty();
        assertThat(store.listIds()).doesNotContain(refused.id());
    }

    @Test
    void theOwnersStatesAreSavedWholeThroughItsClaim() {
        Job job = created();
        Claim claim = claim(job, "a");
        assertThat(claim.job()).isEqualTo(job);
        JobState failed = claim.state().started(T0.plusSeconds(1)).stepSucceeded()
                .failed("step 2 (x) exited with code 1", T0.plusSeconds(2));
        assertThat(store.saveState(failed, claim)).isTrue();
        assertThat(store.findState(job.id())).contains(failed);
        assertThat(store.saveState(failed, claim)).as("a final state ends the claim").isFalse();
    }

    @Test
    void logLinesAreReadFromAnIndex() {
        Job job = created();
        Claim claim = claim(job, "a");
        assertThat(store.appendLog(claim, List.of("a", "b"))).isTrue();
        assertThat(store.appendLog(claim, List.of("c", "", "é ✓"))).isTrue();
        assertThat(store.readLog(job.id(), 0, 1_000_000)).contains(List.of("a", "b", "c", "", "é ✓"));
        assertThat(store.readLog(job.id(), 3, 1_000_000)).contains(List.of("", "é ✓"));
        assertThat(store.readLog(job.id(), 10, 1_000_000)).contains(List.of());
        assertThat(store.readLog("no-such-job", 0, 1_000_000)).isEmpty();
    }

    @Test
    void endedJobsAreThoseWithAFinalStatusOrGone() {
        Job running = created();
        Claim claim = claim(running, "a");
        store.saveState(claim.state().started(T0), claim);
        Job complete = created();
        Claim done = claim(complete, "a");
        store.saveState(done.state().started(T0).completed(T0), done);
        Job queued = created();
        assertThat(store.endedJobs(List.of(queued.id(), running.id(), complete.id(), "no-such-job")))
                .containsExactlyInAnyOrder(complete.id(), "no-such-job");
    }

    @Test
    void deleteRemovesEveryKeyOfTheJob() {
        Job job = created();
        store.appendLog(claim(job, "a"), List.of("line"));
        assertThat(store.delete(job.id())).isTrue();
        assertThat(keysOf(job.id())).isEmpty();
        assertThat(store.listIds()).doesNotContain(job.id());
        assertThat(store.delete(job.id())).isFalse();
    }

    @Test
    void aDeletedJobIsNeverWrittenAgain() {
        Job job = created();
        Claim claim = claim(job, "a");
        store.delete(job.id());
        assertThat(store.saveState(claim.state().started(T0), claim)).isFalse();
        assertThat(store.appendLog(claim, List.of("late"))).isFalse();
        assertThat(store.stepStarting(claim, 0, null)).isFalse();
        assertThat(keysOf(job.id())).isEmpty();
        assertThat(store.lostClaims(List.of(claim))).containsExactly(job.id());
    }

    @Test
    void aCancelledQueuedJobLeavesTheQueueAndIsNeverClaimed() {
        Job job = created();
        JobState queued = store.findState(job.id()).orElseThrow();
        assertThat(store.transition(JobStatus.QUEUED, queued.cancelled("by test", T0))).isTrue();
        assertThat(store.transition(JobStatus.QUEUED, queued.cancelled("twice", T0))).isFalse();
        assertThat(store.findState(job.id()).orElseThrow().error()).isEqualTo("by test");
        for (int i = 0; i < 20; i++) {
            store.claimNext("a", Duration.ofMillis(50)).ifPresent(c -> assertThat(c.jobId()).isNotEqualTo(job.id()));
        }
    }

    @Test
    void aStaleOwnerWritesNothingOnceTheJobWasTakenOver() {
        Job job = created();
        Claim first = claim(job, "dead-" + UUID.randomUUID());
        store.saveState(first.state().started(T0), first);
        store.stepStarting(first, 0, null);
        store.appendLog(first, List.of("partial line of the interrupted step"));
        store.heartbeat(first.instance(), Duration.ofMillis(1));
        await().until(() -> store.deadInstances().contains(first.instance()));

        assertThat(store.requeueJobsOf(first.instance())).containsExactly(job.id());
        assertThat(store.findState(job.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        Claim second = claim(job, "b");
        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertThat(store.readLog(job.id(), 0, 1_000_000)).as("the interrupted step's lines are dropped").contains(List.of());

        assertThat(store.appendLog(first, List.of("late"))).isFalse();
        assertThat(store.saveState(first.state().started(T0).completed(T0), first)).isFalse();
        assertThat(store.lostClaims(List.of(first, second))).containsExactly(job.id());
        assertThat(store.saveState(second.state().started(T0), second)).isTrue();
    }

    @Test
    void aRequeuedJobResumesOnTheInputKeptForItsStep() {
        Job job = created();
        Claim first = claim(job, "a-" + UUID.randomUUID());
        JobState running = first.state().started(T0);
        store.saveState(running, first);
        store.stepStarting(first, 0, null);
        store.appendLog(first, List.of("step 1 line"));
        store.saveState(running.stepSucceeded(), first);
        store.stepStarting(first, 1, "/data/job-x/step-1.input");
        store.appendLog(first, List.of("step 2 partial"));
        assertThat(store.requeue(first)).isTrue();

        Claim second = claim(job, "b");
        assertThat(second.state().stepsCompleted()).isEqualTo(1);
        assertThat(second.resumeInput()).isEqualTo("/data/job-x/step-1.input");
        assertThat(store.readLog(job.id(), 0, 1_000_000)).contains(List.of("step 1 line"));
    }

    @Test
    void instancesAreLiveWhileTheirHeartbeatLasts() {
        String instance = "i-" + UUID.randomUUID();
        store.heartbeat(instance, Duration.ofSeconds(30));
        assertThat(store.liveInstances()).contains(instance);
        assertThat(store.deadInstances()).doesNotContain(instance);
        store.retire(instance);
        assertThat(store.liveInstances()).doesNotContain(instance);
    }

    @Test
    void anUnreachableRedisIsReportedAsUnavailable() {
        RedisFactory factory = new RedisFactory();
        factory.setUrl("redis://127.0.0.1:1");
        factory.setConnectTimeout(io.dropwizard.util.Duration.milliseconds(500));
        try (RedisClient down = factory.build()) {
            RedisJobStore unreachable = new RedisJobStore(down, PREFIX, Jackson.newObjectMapper(), TEST_CIPHER);
            assertThatThrownBy(unreachable::listIds)
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis is unavailable");
            Job job = newJob();
            assertThatThrownBy(() -> unreachable.enqueue(job, JobState.queued(job.id(), T0), 10))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }
}
