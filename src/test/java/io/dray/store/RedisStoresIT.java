package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dray.core.Claim;
import io.dray.core.Job;
import io.dray.core.JobEvent;
import io.dray.core.JobFeed;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.StepRecord;
import io.dray.core.StepStatus;
import io.dray.core.StoreDataException;
import io.dray.core.StoreUnavailableException;
import io.dray.core.Stores;
import io.dray.core.StoresContract;
import io.dropwizard.jackson.Jackson;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.params.ScanParams;

/** The stores on a real Redis, each test under a key prefix of its own, held to the contract every store keeps. */
class RedisStoresIT extends StoresContract {
    private static final SecretCipher TEST_CIPHER = new SecretCipher(new byte[32]);
    private static RedisFactory factory;
    private static UnifiedJedis redis;
    private String prefix;

    @BeforeAll
    static void connect() {
        factory = new RedisFactory();
        factory.setUrl(System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        redis = factory.build();
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    @Override
    protected Stores newStores() {
        prefix = "dray-test-" + UUID.randomUUID() + ":";
        return RedisStores.create(redis, factory.dedicatedConnections(redis), prefix, Jackson.newObjectMapper(), TEST_CIPHER,
                Clock.systemUTC());
    }

    @Override
    protected Stores storesWithRetention(Duration retention) {
        return RedisStores.create(redis, factory.dedicatedConnections(redis), prefix, Jackson.newObjectMapper(), TEST_CIPHER,
                Clock.systemUTC(), retention);
    }

    @Override
    protected void passTime(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private List<String> keys() {
        return redis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().match(prefix + "*").count(10_000)).getResult();
    }

    @Test
    void anInputExpiresWhileItsJobIsNotQueuedAndIsKeptOnceItIs() {
        Job job = newJob(1);
        stores.inputs().append(job.id(), new byte[] {1, 2}, 2);
        String key = prefix + "job:" + job.id() + ":input";
        assertThat(redis.ttl(key)).as("an upload that breaks off is forgotten").isPositive().isLessThanOrEqualTo(3600);
        Job withInput = new Job(job.id(), job.name(), job.environment(), job.steps(), job.timeout(), job.ttl(), 2L, null);
        stores.queue().enqueue(withInput, JobState.queued(withInput, T0), 1_000);
        assertThat(redis.ttl(key)).as("no expiry").isEqualTo(-1);
    }

    @Test
    void deleteLeavesNoKeyOfTheJob() {
        Job job = queued(1);
        Claim claim = claim("a");
        append(claim, "line");
        stores.jobs().delete(job.id());
        assertThat(keys()).noneMatch(key -> key.contains(job.id()));
    }

    @Test
    void secretValuesAreStoredEncrypted() {
        Job job = queued(1);
        assertThat(redis.hget(prefix + "job:" + job.id(), "job")).doesNotContain("secret-0").contains("\"S\"");
        assertThat(claim("a").job()).isEqualTo(job);
    }

    @Test
    void aStoredJobCarriesItsSchemaVersion() {
        Job job = queued(1);
        assertThat(redis.hget(prefix + "job:" + job.id(), "schema")).isEqualTo(JobHash.SCHEMA);
    }

    @Test
    void aJobWrittenBeforeStepRecordsReadsWithRecordsMadeFromItsStatus() {
        String id = UUID.randomUUID().toString();
        // As Dray wrote a job that failed at its second step, before step records and versions existed.
        redis.hset(prefix + "job:" + id, Map.of(
                "job", "{\"id\":\"" + id + "\",\"steps\":[{\"name\":\"one\",\"source\":\"a\"},{\"source\":\"b\"},{\"source\":\"c\"}]}",
                "status", "error", "stepsCompleted", "1", "error", "step 2 (b) exited with code 1",
                "createdAt", "2026-01-01T00:00:00Z", "startedAt", "2026-01-01T00:00:01Z", "finishedAt", "2026-01-01T00:00:02Z"));
        JobState state = stores.jobs().find(id).orElseThrow();
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.COMPLETE, StepStatus.ERROR, StepStatus.SKIPPED);
        assertThat(state.steps()).extracting(StepRecord::name).containsExactly("one", null, null);
        assertThat(state.steps()).extracting(StepRecord::source).containsExactly("a", "b", "c");
    }

    @Test
    void aRunningJobWrittenBeforeStepRecordsIsSavedWholeByItsNextTransition() {
        String id = UUID.randomUUID().toString();
        redis.hset(prefix + "job:" + id, Map.of(
                "job", "{\"id\":\"" + id + "\",\"steps\":[{\"source\":\"a\"}]}",
                "status", "queued", "stepsCompleted", "0", "createdAt", "2026-01-01T00:00:00Z"));
        JobState old = stores.jobs().find(id).orElseThrow();
        JobState cancelled = stores.jobs().save(old, old.cancelled("upgrade", T0), null).orElseThrow();
        assertThat(stores.jobs().find(id)).contains(cancelled);
        assertThat(redis.hget(prefix + "job:" + id, "schema")).isEqualTo(JobHash.SCHEMA);
    }

    @Test
    void aQueuedJobWrittenBeforeStepRecordsIsWrittenInThisLayoutByItsFirstOwner() {
        String id = UUID.randomUUID().toString();
        redis.hset(prefix + "job:" + id, Map.of(
                "job", "{\"id\":\"" + id + "\",\"steps\":[{\"source\":\"a\"},{\"source\":\"b\"}]}",
                "status", "queued", "stepsCompleted", "0", "createdAt", "2026-01-01T00:00:00Z"));
        redis.rpush(prefix + "queue", id);
        Claim claim = claim("a");
        assertThat(claim.jobId()).isEqualTo(id);
        JobState started = stores.jobs().save(claim.state(), claim.state().started(T0), claim).orElseThrow();
        JobState created = stores.jobs().save(started, started.stepCreated(0, "c0"), claim).orElseThrow();
        assertThat(redis.hget(prefix + "job:" + id, "schema")).isEqualTo(JobHash.SCHEMA);
        JobState read = stores.jobs().find(id).orElseThrow();
        assertThat(read).isEqualTo(created);
        assertThat(read.steps()).extracting(StepRecord::status).containsExactly(StepStatus.CREATED, StepStatus.PENDING);
    }

    /** A definition is for readers: the store masks its secrets without decrypting them, and keeps them encrypted. */
    @Test
    void aDefinitionNeverDecryptsTheSecretsItMasks() {
        Job job = queued(1);
        String key = prefix + "job:" + job.id();
        String stored = redis.hget(key, "job");
        assertThat(stored).doesNotContain("secret-0");
        Stores otherKey = RedisStores.create(redis, factory.dedicatedConnections(redis), prefix, Jackson.newObjectMapper(),
                new SecretCipher(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                        23, 24, 25, 26, 27, 28, 29, 30, 31, 32}), Clock.systemUTC());

        Job definition = otherKey.jobs().definition(job.id()).orElseThrow();
        assertThat(definition).isEqualTo(job.masked());
        redis.hset(key, "job", "{not json");
        assertThatThrownBy(() -> stores.jobs().definition(job.id())).isInstanceOf(StoreDataException.class)
                .hasMessageContaining("stored job " + job.id() + " is not readable");
    }

    @Test
    void aJobWhoseStateCannotBeReadFailsSayingSoAndTheQueueGoesOn() {
        Job damaged = queued(1);
        Job next = queued(1);
        redis.hset(prefix + "job:" + damaged.id(), "stepsCompleted", "many");
        Claim claim = claim("a");
        assertThat(claim.jobId()).isEqualTo(next.id());
        assertThat(redis.hget(prefix + "job:" + damaged.id(), "status")).isEqualTo("error");
        assertThat(redis.hget(prefix + "job:" + damaged.id(), "error")).contains("is not readable");
        assertThat(stores.queue().claimedBy("a")).containsExactly(next.id());
        assertThatThrownBy(() -> stores.jobs().find(damaged.id())).isInstanceOf(StoreDataException.class);
    }

    @Test
    void aQueuedJobWithoutOwnerOnADeadInstancesListIsQueuedAgain() {
        // What a Dray before claims were one script left when it died between taking a job and claiming it.
        Job job = queued(1);
        redis.lmove(prefix + "queue", prefix + "instance:old:jobs", ListDirection.LEFT, ListDirection.RIGHT);
        assertThat(stores.queue().length()).isZero();
        assertThat(stores.queue().requeueJobsOf("old", id -> true)).containsExactly(job.id());
        assertThat(stores.queue().claimedBy("old")).isEmpty();
        assertThat(claim("b").jobId()).isEqualTo(job.id());
    }

    @Test
    void aJobOfHundredsOfStepsIsSavedWhole() {
        Job job = newJob(400);
        assertThat(stores.queue().enqueue(job, JobState.queued(job, T0), 10)).isTrue();
        JobState queued = stores.jobs().find(job.id()).orElseThrow();
        JobState cancelled = stores.jobs().save(queued, queued.cancelled("many", T0), null).orElseThrow();
        assertThat(stores.jobs().find(job.id())).contains(cancelled);
        assertThat(cancelled.steps()).hasSize(400).extracting(StepRecord::status).containsOnly(StepStatus.SKIPPED);
    }

    @Test
    void theFeedTellsEveryChangeAndEveryLogThatGrewInOrder() throws Exception {
        RedisJobFeed feed = (RedisJobFeed) stores.feed();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        feed.start();
        try (AutoCloseable listening = feed.listen(new JobFeed.Listener() {
            @Override
            public void onEvent(JobEvent event) {
                heard.add(event.type() + " " + event.job());
            }

            @Override
            public void onLogGrew(String jobId) {
                heard.add("log " + jobId);
            }
        })) {
            try (Jedis jedis = factory.dedicatedConnections(redis).get()) {
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        jedis.pubsubNumSub(prefix + "events").get(prefix + "events") > 0);
            }
            Job job = queued(1);
            Claim claim = claim("a");
            JobState started = stores.jobs().save(claim.state(), claim.state().started(T0), claim).orElseThrow();
            append(claim, "line");
            stores.jobs().save(started, started.failed("stop", T0), claim).orElseThrow();
            stores.jobs().delete(job.id());
            List<String> expected = List.of("job.queued", "job.running", "log", "job.error", "job.deleted");
            for (String type : expected) {
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(type + " " + job.id());
            }
        } finally {
            feed.stop();
        }
    }

    /** What the channel publishes is kept in the history under the same ids; a trimmed history cannot resume. */
    @Test
    void theEventsHeardAreTheHistorysWithTheirIds() throws Exception {
        RedisJobFeed feed = (RedisJobFeed) stores.feed();
        BlockingQueue<JobEvent> heard = new LinkedBlockingQueue<>();
        feed.start();
        try (AutoCloseable listening = feed.listen(new JobFeed.Listener() {
            @Override
            public void onEvent(JobEvent event) {
                heard.add(event);
            }

            @Override
            public void onLogGrew(String jobId) {}
        })) {
            try (Jedis jedis = factory.dedicatedConnections(redis).get()) {
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        jedis.pubsubNumSub(prefix + "events").get(prefix + "events") > 0);
            }
            Job job = queued(1);
            Claim claim = claim("a");
            stores.jobs().save(claim.state(), claim.state().started(T0), claim).orElseThrow();
            stores.jobs().delete(job.id());
            List<JobEvent> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(heard.poll(10, TimeUnit.SECONDS));
            }
            assertThat(events).extracting(JobEvent::type).containsExactly("job.queued", "job.running", "job.deleted");
            assertThat(feed.history(events.get(0).id())).isEqualTo(new JobFeed.History(events.subList(1, 3), true));
            assertThat(feed.history(events.get(2).id())).isEqualTo(new JobFeed.History(List.of(), true));
            String[] newest = events.get(2).id().split("-");
            assertThat(feed.history(newest[0] + "-" + (Long.parseLong(newest[1]) + 1)).complete())
                    .as("an id newer than any kept is none of this history's").isFalse();
            redis.xtrim(prefix + "events:history", 1, false);
            assertThat(feed.history(events.get(0).id())).as("the event after it was trimmed away")
                    .isEqualTo(new JobFeed.History(List.of(), false));
            assertThat(feed.history(events.get(2).id()).complete()).isTrue();
        } finally {
            feed.stop();
        }
    }

    @Test
    void aScriptRedisForgotIsSentAgain() {
        queued(1);
        redis.scriptFlush();
        assertThat(stores.queue().claimNext("a", Duration.ofMillis(100))).isPresent();
    }

    @Test
    void anErrorRedisAnswersIsADataErrorNotAnOutage() {
        Job job = queued(1);
        redis.del(prefix + "job:" + job.id() + ":log");
        redis.set(prefix + "job:" + job.id() + ":log", "not a list");
        Claim claim = claim("a");
        assertThatThrownBy(() -> append(claim, "line"))
                .isInstanceOf(StoreDataException.class)
                .hasMessageContaining("WRONGTYPE");
    }

    @Test
    void anUnreachableRedisIsReportedAsUnavailable() {
        RedisFactory factory = new RedisFactory();
        factory.setUrl("redis://127.0.0.1:1");
        factory.setConnectTimeout(io.dropwizard.util.Duration.milliseconds(500));
        try (UnifiedJedis down = factory.build()) {
            Stores unreachable = RedisStores.create(down, factory.dedicatedConnections(down), prefix,
                    Jackson.newObjectMapper(), TEST_CIPHER, Clock.systemUTC());
            assertThatThrownBy(() -> unreachable.jobs().list(io.dray.core.JobQuery.ALL, 10))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis is unavailable");
            Job job = newJob(1);
            assertThatThrownBy(() -> unreachable.queue().enqueue(job, JobState.queued(job, T0), 10))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }
}
