package io.dray.core;

import static io.dray.support.TestDocker.SH;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dray.docker.DockerEngine;
import io.dray.docker.DockerFactory;
import io.dray.docker.DockerStepRunner;
import io.dray.store.RedisFactory;
import io.dray.store.RedisStores;
import io.dray.store.SecretCipher;
import io.dray.support.TestDocker;
import io.dropwizard.jackson.Jackson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/** The engine end to end on the real Docker engine and the real Redis: how jobs run and what they leave behind. */
class JobEngineIT {
    private static final SecretCipher TEST_CIPHER = new SecretCipher(new byte[32]);
    private static RedisFactory redisConfig;
    private static UnifiedJedis redis;
    private static DockerEngine docker;
    private static ExecutorService background;
    private static final TestEngines ENGINES = new TestEngines();

    @TempDir
    static Path dataDirectory;

    private static Stores stores;
    private static JobEngine engine;
    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void startEngine() {
        TestDocker.buildImages();
        redisConfig = new RedisFactory();
        redisConfig.setUrl(System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        redis = redisConfig.build();
        DockerFactory dockerConfig = new DockerFactory();
        dockerConfig.setStopGrace(io.dropwizard.util.Duration.seconds(1));
        docker = dockerConfig.build();
        background = Executors.newCachedThreadPool();
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        stores = storesUnder(prefix);
        engine = ENGINES.start(stores, runner(prefix), spools(), Clock.systemUTC(), TestEngines.Settings.defaults());
    }

    private static Stores storesUnder(String prefix) {
        return RedisStores.create(redis, redisConfig.dedicatedConnections(redis), prefix, Jackson.newObjectMapper(),
                TEST_CIPHER, Clock.systemUTC());
    }

    /** A small memory limit, so that the tests' outputs take the spill-to-disk path too. */
    private static SpoolDirectory spools() {
        return new SpoolDirectory(dataDirectory, 4096, background);
    }

    private static DockerStepRunner runner(String prefix) {
        return new DockerStepRunner(docker, spools(), new DockerStepRunner.Executors(background, background, background),
                prefix);
    }

    @AfterAll
    static void stopEngine() throws Exception {
        ENGINES.close();
        background.shutdownNow();
        docker.stop();
        redis.close();
    }

    @AfterEach
    void everyContainerIsRemoved() {
        TestDocker.awaitNoContainersOf(jobs);
        // Data no step needs any more is deleted in the background, like containers are removed.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (var files = Files.list(dataDirectory)) {
                assertThat(files).as("spools and output files left behind").isEmpty();
            }
        });
    }

    static Step script(String script, EnvVar... environment) {
        return step(SH, null, script, environment);
    }

    static Step step(String source, String output, String script, EnvVar... environment) {
        List<EnvVar> env = new ArrayList<>(List.of(environment));
        if (script != null) {
            env.add(new EnvVar("SCRIPT", script));
        }
        return new Step(null, source, env, OutputChannel.parse(output), false, null, null);
    }

    private Job submit(List<EnvVar> environment, Step... steps) {
        Job job = engine.submit("test", environment, List.of(steps), null, null);
        jobs.add(job.id());
        return job;
    }

    private JobState finished(Job job) {
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.state(job.id()).status().isFinal());
        // The last log batch is written before the final state; nothing can arrive after it.
        return engine.state(job.id());
    }

    private JobState run(Step... steps) {
        return finished(submit(List.of(), steps));
    }

    /** Every line of the job's log, page after page. */
    private static List<String> texts(JobEngine engine, String id) {
        List<String> texts = new ArrayList<>();
        LogPage page;
        long next = 0;
        do {
            page = engine.log(id, next, 1_000_000, LogFilter.ALL);
            page.lines().forEach(line -> texts.add(line.text()));
            next = page.next();
        } while (!page.exhausted());
        return texts;
    }

    private List<String> log(JobState state) {
        return texts(engine, state.id());
    }

    @Test
    void theOriginalExampleJobPipesEachStepIntoTheNext() {
        Job job = submit(List.of(new EnvVar("WORD_COUNT", "10")),
                step("dray-example/randword", null, null), step("dray-example/upper", null, null),
                step("dray-example/reverse", null, null));
        JobState state = finished(job);
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(state.stepsCompleted()).isEqualTo(3);
        List<String> lines = log(state);
        assertThat(lines).hasSize(30);
        List<String> words = lines.subList(0, 10);
        assertThat(words).allSatisfy(w -> assertThat(w).matches("[a-z]{8}"));
        assertThat(lines.subList(10, 20)).isEqualTo(words.stream().map(String::toUpperCase).toList());
        assertThat(lines.subList(20, 30)).isEqualTo(
                words.stream().map(w -> new StringBuilder(w.toUpperCase()).reverse().toString()).toList());
        for (StepRecord step : state.steps()) {
            assertThat(step.status()).isEqualTo(StepStatus.COMPLETE);
            assertThat(step.exitCode()).isZero();
            assertThat(step.attempt()).isEqualTo(1);
            assertThat(step.imageId()).startsWith("sha256:");
            assertThat(step.containerId()).matches("[0-9a-f]{64}");
            assertThat(step.stdout()).isEqualTo(new StepRecord.Output(90, 10));
            assertThat(step.startedAt()).isBeforeOrEqualTo(step.finishedAt());
        }
        assertThat(state.step(0).imageId()).isEqualTo(TestDocker.imageId("dray-example/randword"));
        assertThat(state.steps()).extracting(StepRecord::bytesPassed).containsExactly(90L, 90L, 0L);
    }

    @Test
    void fastContainerOutputIsNeverLost() {
        List<Job> submitted = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            submitted.add(submit(List.of(), script("echo fast-" + i + "; echo err-" + i + " >&2")));
        }
        for (int i = 0; i < submitted.size(); i++) {
            JobState state = finished(submitted.get(i));
            assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
            assertThat(log(state)).containsExactlyInAnyOrder("fast-" + i, "err-" + i);
        }
    }

    @Test
    void aStepThatReadsItsInputToTheEndSeesEndOfFile() {
        JobState state = run(script("printf 'a\\nb\\nc\\n'"), script("wc -l"), script("cat"));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(log(state)).containsExactly("a", "b", "c", "3", "3");
    }

    @Test
    void bytesPassThroughUnchangedNulBytesAndAnUnterminatedLastLineIncluded() throws Exception {
        byte[] data = "a\0b\377\r\n\0\0last".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        JobState state = run(script("printf 'a\\000b\\377\\r\\n\\000\\000last'"), script("cat > /tmp/in; md5sum < /tmp/in; wc -c < /tmp/in"));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        List<String> lines = log(state);
        assertThat(lines.get(lines.size() - 2)).startsWith(md5);
        assertThat(lines.get(lines.size() - 1).trim()).isEqualTo(Integer.toString(data.length));
    }

    @Test
    void largeOutputStreamsThroughToTheNextStep() {
        JobState state = run(script("head -c 67108864 /dev/zero"), script("wc -c"));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(log(state)).last().isEqualTo("67108864");
    }

    @Test
    void stderrAsOutputChannelFeedsTheNextStepAndBothStreamsAreLogged() {
        JobState state = run(step(SH, "stderr", "echo to-log; echo to-next >&2"), script("sed s/^/got:/"));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(log(state)).containsExactlyInAnyOrder("to-log", "to-next", "got:to-next");
    }

    @Test
    void aFileOutputChannelIsMountedAndItsContentPassedOnAfterExit() {
        JobState state = run(step(SH, "/out/result.txt", "echo on-stdout; echo in-file > /out/result.txt"),
                script("sed s/^/got:/"));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(log(state)).containsExactly("on-stdout", "got:in-file");
    }

    @Test
    void concurrentJobsWithTheSameOutputPathGetTheirOwnFiles() {
        List<Job> submitted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            submitted.add(submit(List.of(),
                    step(SH, "/output.txt", "echo job-" + i + " > /output.txt; sleep 0.3; cat /output.txt"),
                    script("cat")));
        }
        for (int i = 0; i < submitted.size(); i++) {
            JobState state = finished(submitted.get(i));
            assertThat(log(state)).containsExactly("job-" + i, "job-" + i);
        }
    }

    @Test
    void delimitersPassOnlyTheLinesBetweenThem() {
        Step marked = new Step(null, SH, List.of(new EnvVar("SCRIPT",
                "echo noise; echo '--BEGIN--'; echo keep-1; echo keep-2; echo '--END--'; echo trailing")),
                OutputChannel.STDOUT, false, "--BEGIN--", "--END--");
        JobState state = run(marked, script("sed s/^/got:/"));
        assertThat(log(state)).endsWith("got:keep-1", "got:keep-2").doesNotContain("got:noise", "got:trailing");
    }

    @Test
    void aStepGetsTheJobEnvironmentOverlaidWithItsOwn() {
        Job job = submit(List.of(new EnvVar("A", "job-a"), new EnvVar("B", "job-b")),
                script("echo \"$A $B\"", new EnvVar("B", "step-b")));
        assertThat(log(finished(job))).containsExactly("job-a step-b");
    }

    @Test
    void theFirstFailingStepEndsTheJobAndLaterStepsNeverStart() {
        Step failing = new Step("breaks", SH, List.of(new EnvVar("SCRIPT", "echo partial; exit 3")),
                null, false, null, null);
        JobState state = run(script("echo one"), failing, script("echo never"));
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.stepsCompleted()).isEqualTo(1);
        assertThat(state.error()).isEqualTo("step 2 (breaks) exited with code 3");
        assertThat(log(state)).containsExactly("one", "partial");
    }

    @Test
    void anImageThatCannotBePulledEndsTheJobWithTheReason() {
        String missing = TestDocker.REGISTRY + "/dray-test/missing-" + UUID.randomUUID();
        JobState state = run(script("echo one"), step(missing, null, null), script("echo never"));
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.stepsCompleted()).isEqualTo(1);
        assertThat(state.error()).startsWith("step 2 (" + missing + ") could not run: cannot pull image " + missing + ":latest");
        assertThat(log(state)).containsExactly("one");
    }

    @Test
    void anInvalidImageNameEndsTheJobWithTheReason() {
        JobState state = run(step("Not A/Valid::name", null, null));
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.error()).isEqualTo("step 1 (Not A/Valid::name) could not run: \"Not A/Valid::name\" is not a valid image name");
    }

    @Test
    void anImageWithoutCommandEndsTheJobWithDockersReason() {
        JobState state = run(step("dray-example/busybox", null, null));
        assertThat(state.status()).isEqualTo(JobStatus.ERROR);
        assertThat(state.error()).isEqualTo("step 1 (dray-example/busybox) could not run: Docker: No command specified");
    }

    @Test
    void aMissingImageIsPulledWithTheLatestTag() {
        String name = TestDocker.REGISTRY + "/dray-test/pulled-" + UUID.randomUUID().toString().substring(0, 8);
        TestDocker.pushScript(name + ":latest", "echo pulled");
        TestDocker.removeImage(name + ":latest");
        JobState state = run(step(name, null, null));
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(log(state)).containsExactly("pulled");
        TestDocker.removeImage(name + ":latest");
    }

    @Test
    void refreshPullsTheNewerImageAndRemovesNoImage() {
        String name = TestDocker.REGISTRY + "/dray-test/refreshed-" + UUID.randomUUID().toString().substring(0, 8) + ":v1";
        TestDocker.pushScript(name, "echo first");
        String firstId = TestDocker.imageId(name);
        TestDocker.docker("tag", name, "dray-test/keep-first:latest");
        TestDocker.pushScript(name, "echo second");
        TestDocker.docker("tag", "dray-test/keep-first:latest", name);

        assertThat(log(run(step(name, null, null)))).as("without refresh the local image runs").containsExactly("first");
        Step refreshed = new Step(null, name, List.of(), null, true, null, null);
        assertThat(log(run(refreshed))).containsExactly("second");
        assertThat(TestDocker.imageExists(firstId)).as("the older image is kept").isTrue();
        TestDocker.removeImage(name);
        TestDocker.removeImage("dray-test/keep-first:latest");
        TestDocker.removeImage(firstId);
    }

    @Test
    void containersAreLabelledWhileTheyRunAndRemovedWhenTheStepEnds() {
        Job job = submit(List.of(), script("sleep 1"), script("exit 1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !TestDocker.containersOfJob(job.id()).isEmpty());
        String labels = TestDocker.docker("inspect", "--format", "{{index .Config.Labels \"dray.step\"}}",
                TestDocker.containersOfJob(job.id()).get(0)).trim();
        assertThat(labels).isEqualTo("0");
        assertThat(finished(job).status()).isEqualTo(JobStatus.ERROR);
    }

    @Test
    void pastTheQueueLimitAJobIsRefusedAndNothingIsCreated() throws Exception {
        String ownPrefix = "dray-test-" + UUID.randomUUID() + ":";
        Stores ownStores = storesUnder(ownPrefix);
        JobEngine small = ENGINES.start(ownStores, runner(ownPrefix), spools(), Clock.systemUTC(),
                TestEngines.Settings.defaults().withWorkers(1).withMaxQueuedJobs(1));
        try {
            Job running = small.submit(null, List.of(), List.of(script("sleep 1")), null, null);
            jobs.add(running.id());
            await().atMost(Duration.ofSeconds(30)).until(() -> small.state(running.id()).status() == JobStatus.RUNNING);
            Job waiting = small.submit(null, List.of(), List.of(script("echo waited")), null, null);
            jobs.add(waiting.id());
            List<JobSummary> before = ownStores.jobs().list(JobQuery.ALL, 1_000_000).jobs();
            assertThatThrownBy(() -> small.submit(null, List.of(), List.of(script("echo refused")), null, null))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessage("too many jobs waiting (1); try again later");
            assertThat(ownStores.jobs().list(JobQuery.ALL, 1_000_000).jobs()).isEqualTo(before);
            await().atMost(Duration.ofSeconds(60)).until(() -> small.state(waiting.id()).status().isFinal());
            assertThat(texts(small, waiting.id())).containsExactly("waited");
        } finally {
            ENGINES.stop(small);
        }
    }

    @Test
    void theConfiguredDefaultStepTimeoutAppliesToStepsThatSetNone() throws Exception {
        String ownPrefix = "dray-test-" + UUID.randomUUID() + ":";
        JobEngine strict = ENGINES.start(storesUnder(ownPrefix), runner(ownPrefix), spools(), Clock.systemUTC(),
                TestEngines.Settings.defaults().withWorkers(1).withDefaultStepTimeout(Duration.ofSeconds(1)));
        try {
            Step ownTimeout = new Step(null, SH, List.of(new EnvVar("SCRIPT", "sleep 2; echo patient")), null, false,
                    null, null, Duration.ofSeconds(30), null, null);
            Job job = strict.submit(null, List.of(), List.of(ownTimeout, script("sleep 30")), null, null);
            jobs.add(job.id());
            await().atMost(Duration.ofSeconds(60)).until(() -> strict.state(job.id()).status().isFinal());
            JobState state = strict.state(job.id());
            assertThat(state.error()).isEqualTo("step 2 (" + SH + ") timed out after 1s");
            assertThat(state.step(1).status()).isEqualTo(StepStatus.ERROR);
            assertThat(state.step(1).exitCode()).as("stopped by SIGKILL after the grace").isEqualTo(137);
            assertThat(texts(strict, job.id())).containsExactly("patient");
        } finally {
            ENGINES.stop(strict);
        }
    }

    @Test
    void aFinishedJobsStateComesFromMemoryUntilTheCacheTimeEnds() throws Exception {
        Job job = submit(List.of(), script("echo done"));
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state(job.id()).status() == JobStatus.COMPLETE);
        stores.jobs().delete(job.id()); // what another instance's DELETE does
        long deleted = System.nanoTime();
        assertThat(engine.state(job.id()).status()).isEqualTo(JobStatus.COMPLETE);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                engine.state(job.id());
                return false;
            } catch (JobNotFoundException e) {
                return true;
            }
        });
        assertThat(Duration.ofNanos(System.nanoTime() - deleted)).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aRunningJobsStateIsReadAfreshEveryTime() throws Exception {
        Job job = submit(List.of(), script("sleep 1; echo done"));
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state(job.id()).status() == JobStatus.RUNNING);
        await().atMost(Duration.ofSeconds(30)).until(() -> stores.jobs().find(job.id()).orElseThrow().status().isFinal());
        assertThat(engine.state(job.id()).status()).isEqualTo(JobStatus.COMPLETE);
    }

    @Test
    void aWaitForAJobEndsWithItsFinalState() throws Exception {
        Job job = submit(List.of(), script("sleep 1; echo done"));
        JobState end = engine.stateWhenFinal(job.id(), Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.stepsCompleted()).isEqualTo(1);
    }

    @Test
    void aWaitThatRunsOutAnswersWithTheStateThen() throws Exception {
        Job job = submit(List.of(), script("sleep 3"));
        long asked = System.nanoTime();
        JobState then = engine.stateWhenFinal(job.id(), Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(then.status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
    }

    @Test
    void aWaitEndsWhenTheJobIsCancelledThroughAnotherInstance() throws Exception {
        Job job = submit(List.of(), script("sleep 30"));
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state(job.id()).status() == JobStatus.RUNNING);
        CompletableFuture<JobState> waiting = engine.stateWhenFinal(job.id(), Duration.ofSeconds(20));
        JobState running = stores.jobs().find(job.id()).orElseThrow();
        assertThat(stores.jobs().save(running, running.cancelled("cancelled elsewhere", Instant.now()), null)).isPresent();
        JobState end = waiting.get(20, TimeUnit.SECONDS);
        assertThat(end.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(end.error()).isEqualTo("cancelled elsewhere");
    }

    @Test
    void aWaitForAJobThatIsGoneEndsInNotFound() throws Exception {
        Job job = submit(List.of(), script("sleep 30"));
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state(job.id()).status() == JobStatus.RUNNING);
        CompletableFuture<JobState> waiting = engine.stateWhenFinal(job.id(), Duration.ofSeconds(20));
        stores.jobs().delete(job.id()); // gone without a cancel first (a DELETE cancels first: its waiters see "cancelled")
        assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(JobNotFoundException.class);
    }

    @Test
    void aJobDeletedWhileItRunsIsNotWrittenAgainAndRunsNoFurtherStep() throws Exception {
        Job job = submit(List.of(), script("sleep 1; echo late"), script("echo never"));
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state(job.id()).status() == JobStatus.RUNNING);
        engine.delete(job.id(), "deleted by the test");
        TestDocker.awaitNoContainersOf(job.id());
        Thread.sleep(1500);
        assertThat(stores.jobs().find(job.id())).isEmpty();
        assertThat(stores.logs().read(job.id(), 0, 1_000_000, LogFilter.ALL)).isEmpty();
        assertThat(engine.jobs(JobQuery.ALL, 1_000_000).jobs()).extracting(JobSummary::id).doesNotContain(job.id());
    }
}
