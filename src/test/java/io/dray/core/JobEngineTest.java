package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dray.support.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's logic in milliseconds: its real parts on an in-memory store and a scripted step runner, so that a stop
 * can be made to arrive in any phase of a step, and a lease can expire at will.
 */
@Timeout(30)
class JobEngineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofMillis(300);
    private static final Duration SOON = Duration.ofSeconds(5);

    @TempDir
    Path dataDirectory;

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryStores store = new InMemoryStores(clock);
    private final TestEngines engines = new TestEngines();
    private final java.util.concurrent.ExecutorService deletions = Executors.newSingleThreadExecutor();
    private SpoolDirectory spools;
    private ScriptedStepRunner runner;
    private JobEngine engine;

    @BeforeEach
    void startEngine() {
        spools = new SpoolDirectory(dataDirectory, 1024, deletions);
        runner = new ScriptedStepRunner(spools);
        engine = start(TestEngines.Settings.defaults().withLeaseTime(LEASE).withShutdownGrace(Duration.ofMillis(100)));
    }

    private JobEngine start(TestEngines.Settings settings) {
        return engines.start(store.stores(), runner, spools, clock, settings);
    }

    @AfterEach
    void stopEngines() throws InterruptedException {
        engines.close();
        deletions.shutdownNow();
    }

    private static Step step(String image) {
        return new Step(null, image, List.of(), null, false, null, null);
    }

    private static Step step(String image, Duration timeout) {
        return new Step(null, image, List.of(), null, false, null, null, timeout, null, null);
    }

    private Job submit(Step... steps) {
        return engine.submit("test", List.of(), List.of(steps), null, null);
    }

    private JobState ended(Job job) {
        soon().until(() -> store.find(job.id()).orElseThrow().status().isFinal());
        return store.find(job.id()).orElseThrow();
    }

    private void awaitStep(Job job, int index, StepStatus status) {
        soon().until(() -> store.find(job.id()).orElseThrow().step(index).status() == status);
    }

    /** Polls often: these tests wait for threads of the same process, not for Docker. */
    private static ConditionFactory soon() {
        return await().atMost(SOON).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    private void awaitRemoved(String container) {
        soon().until(() -> runner.eventsOf(container).contains("removed"));
    }

    /** A hook that tells the test it was reached, then waits until the test lets it go on. */
    private static final class Gate implements Runnable {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        @Override
        public void run() {
            reached.countDown();
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(5, TimeUnit.SECONDS)).as("the step reached the gate").isTrue();
        }
    }

    @Test
    void aJobRunsItsStepsInOrderPipingEachIntoTheNextAndRecordsEveryStep() {
        runner.behave("words").stdout = List.of("b", "a");
        runner.behave("cat").cat = true;
        Job job = submit(step("words"), step("cat"));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.stepsCompleted()).isEqualTo(2);
        assertThat(store.log(job.id())).containsExactly("b", "a", "b", "a");
        List<String> containers = runner.containersOf(job.id());
        assertThat(containers).hasSize(2);
        for (int i = 0; i < 2; i++) {
            StepRecord step = end.step(i);
            assertThat(step.status()).isEqualTo(StepStatus.COMPLETE);
            assertThat(step.exitCode()).isZero();
            assertThat(step.containerId()).isEqualTo(containers.get(i));
            assertThat(step.attempt()).isEqualTo(1);
            assertThat(step.startedAt()).isEqualTo(T0);
            assertThat(step.finishedAt()).isEqualTo(T0);
            assertThat(step.stdout()).isEqualTo(new StepRecord.Output(4, 2));
            assertThat(runner.eventsOf(containers.get(i))).containsExactly("created", "started", "removed");
        }
        assertThat(end.step(0).imageId()).isEqualTo("sha256:words");
        assertThat(end.step(0).bytesPassed()).isEqualTo(4);
        assertThat(end.step(1).bytesPassed()).as("the last step passes nothing on").isZero();
    }

    @Test
    void aStepThatCannotStartFailsTheJobAndTheStepsAfterItAreSkipped() {
        runner.behave("broken").createFailure = new StepFailedException("Docker: No command specified");
        Job job = submit(step("ok"), step("broken"), step("ok"));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("step 2 (broken) could not run: Docker: No command specified");
        assertThat(end.steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.COMPLETE, StepStatus.ERROR, StepStatus.SKIPPED);
        assertThat(end.stepsCompleted()).isEqualTo(1);
    }

    @Test
    void aStepThatExitsNonZeroFailsTheJobWithItsExitCodeRecorded() {
        runner.behave("fails").exitCode = 3;
        runner.behave("fails").stderr = List.of("oops");
        JobState end = ended(submit(step("fails"), step("ok")));
        assertThat(end.error()).isEqualTo("step 1 (fails) exited with code 3");
        assertThat(end.step(0).exitCode()).isEqualTo(3);
        assertThat(end.step(0).stderr()).isEqualTo(new StepRecord.Output(5, 1));
        assertThat(end.step(1).status()).isEqualTo(StepStatus.SKIPPED);
    }

    @Test
    void aCancelledQueuedJobNeverRuns() throws Exception {
        runner.behave("long").runsUntilStopped = 4;
        List<Job> busy = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            busy.add(submit(step("long")));
        }
        Job waiting = submit(step("ok"));
        soon().until(() -> runner.running().size() == 4);
        JobState cancelled = engine.cancel(waiting.id(), "not needed");
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.steps()).extracting(StepRecord::status).containsExactly(StepStatus.SKIPPED);
        for (Job job : busy) {
            engine.cancel(job.id(), "done");
        }
        soon().until(() -> runner.running().isEmpty());
        assertThat(runner.containersOf(waiting.id())).isEmpty();
    }

    @Test
    void aCancelBeforeTheContainerIsCreatedCreatesNothing() throws Exception {
        Gate gate = new Gate();
        runner.behave("img").beforeCreate = gate;
        Job job = submit(step("img"), step("img"));
        gate.awaitReached();
        engine.cancel(job.id(), "now");
        gate.go.countDown();
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.CANCELLED);
        soon().during(Duration.ofMillis(200)).until(() -> runner.runCount() == 1);
        assertThat(runner.containersOf(job.id())).isEmpty();
        assertThat(end.steps()).extracting(StepRecord::status).containsOnly(StepStatus.SKIPPED);
    }

    @Test
    void aCancelDuringThePullAbortsItAndCreatesNothing() throws Exception {
        runner.behave("remote").pullGate = new CountDownLatch(1);
        Job job = submit(step("remote"));
        awaitStep(job, 0, StepStatus.PULLING);
        engine.cancel(job.id(), "now");
        soon().until(() -> runner.allEvents().contains("pull-aborted " + job.id()));
        assertThat(runner.containersOf(job.id())).isEmpty();
        JobState end = ended(job);
        assertThat(end.step(0).status()).isEqualTo(StepStatus.CANCELLED);
        assertThat(end.step(0).attempt()).isEqualTo(1);
    }

    @Test
    void aCancelBetweenCreateAndStartRemovesTheContainerWithoutStartingIt() throws Exception {
        Gate gate = new Gate();
        runner.behave("img").afterCreate = gate;
        Job job = submit(step("img"));
        gate.awaitReached();
        engine.cancel(job.id(), "now");
        gate.go.countDown();
        soon().until(() -> runner.containersOf(job.id()).size() == 1
                && runner.eventsOf(runner.containersOf(job.id()).get(0)).contains("removed"));
        assertThat(runner.eventsOf(runner.containersOf(job.id()).get(0))).containsExactly("created", "removed");
        assertThat(ended(job).step(0).status()).isEqualTo(StepStatus.CANCELLED);
    }

    @Test
    void aCancelWhileTheStartIsUnderWayRemovesTheContainerByForceOnceItStarted() throws Exception {
        Gate gate = new Gate();
        runner.behave("img").duringStart = gate;
        runner.behave("img").runsUntilStopped = 1;
        Job job = submit(step("img"));
        gate.awaitReached();
        engine.cancel(job.id(), "now");
        gate.go.countDown();
        soon().until(() -> runner.running().isEmpty() && runner.containersOf(job.id()).size() == 1
                && runner.eventsOf(runner.containersOf(job.id()).get(0)).contains("removed"));
        assertThat(runner.eventsOf(runner.containersOf(job.id()).get(0)))
                .as("no grace for a step stopped before it ran").containsExactly("created", "started", "killed", "removed");
    }

    @Test
    void aCancelOfARunningStepStopsItsContainerAndLaterStepsNeverBegin() {
        runner.behave("long").stdout = List.of("started");
        runner.behave("long").runsUntilStopped = 1;
        Job job = submit(step("long"), step("never"));
        awaitStep(job, 0, StepStatus.RUNNING);
        clock.advance(Duration.ofSeconds(7));
        JobState cancelled = engine.cancel(job.id(), "no longer needed");
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.error()).isEqualTo("no longer needed");
        String container = runner.containersOf(job.id()).get(0);
        awaitRemoved(container);
        assertThat(runner.eventsOf(container)).containsExactly("created", "started", "stopped", "removed");
        soon().during(Duration.ofMillis(200)).until(() -> runner.containersOf(job.id()).size() == 1);
        JobState end = engine.state(job.id());
        assertThat(end.steps()).extracting(StepRecord::status).containsExactly(StepStatus.CANCELLED, StepStatus.SKIPPED);
        assertThat(end.step(0).finishedAt()).isEqualTo(T0.plusSeconds(7));
        assertThat(store.log(job.id())).containsExactly("started");
    }

    @Test
    void aStopTheEngineDoesNotConfirmIsSentAgain() {
        runner.behave("long").runsUntilStopped = 1;
        runner.behave("long").failingStops = 2;
        Job job = submit(step("long"));
        awaitStep(job, 0, StepStatus.RUNNING);
        engine.cancel(job.id(), "now");
        awaitRemoved(runner.containersOf(job.id()).get(0));
        assertThat(runner.eventsOf(runner.containersOf(job.id()).get(0)))
                .containsExactly("created", "started", "stop-failed", "stop-failed", "stopped", "removed");
    }

    @Test
    void aContainerTheEngineKeepsFailingToStopIsRemovedByForce() {
        runner.behave("long").runsUntilStopped = 1;
        runner.behave("long").failingStops = 100;
        Job job = submit(step("long"));
        awaitStep(job, 0, StepStatus.RUNNING);
        engine.cancel(job.id(), "now");
        awaitRemoved(runner.containersOf(job.id()).get(0));
        List<String> events = runner.eventsOf(runner.containersOf(job.id()).get(0));
        assertThat(events).containsExactly("created", "started", "stop-failed", "stop-failed", "stop-failed",
                "killed", "removed");
    }

    @Test
    void aStopIsSentEvenWhenRecordingThatTheStepIsStoppingFails() {
        runner.behave("slow").runsUntilStopped = 1;
        Job job = submit(step("slow", Duration.ofSeconds(5)));
        awaitStep(job, 0, StepStatus.RUNNING);
        store.failNext("save", new StoreDataException("Redis refused the request: ERR", null));
        clock.advance(Duration.ofSeconds(6));
        String container = runner.containersOf(job.id()).get(0);
        awaitRemoved(container);
        assertThat(runner.eventsOf(container)).contains("stopped");
        assertThat(ended(job).error()).isEqualTo("step 1 (slow) timed out after 5s");
    }

    @Test
    void aStepPastItsTimeoutIsStoppedAndFailsTheJobSayingSo() {
        runner.behave("slow").runsUntilStopped = 1;
        Job job = submit(step("ok"), step("slow", Duration.ofSeconds(5)), step("never"));
        awaitStep(job, 1, StepStatus.RUNNING);
        clock.advance(Duration.ofSeconds(6));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("step 2 (slow) timed out after 5s");
        assertThat(end.steps()).extracting(StepRecord::status)
                .containsExactly(StepStatus.COMPLETE, StepStatus.ERROR, StepStatus.SKIPPED);
        assertThat(end.step(1).exitCode()).as("SIGTERM").isEqualTo(143);
        assertThat(end.step(1).error()).isEqualTo("step 2 (slow) timed out after 5s");
    }

    @Test
    void aJobPastItsTimeoutIsStopped() {
        runner.behave("slow").runsUntilStopped = 1;
        Job job = engine.submit("t", List.of(), List.of(step("ok"), step("slow")), Duration.ofMinutes(2), null);
        awaitStep(job, 1, StepStatus.RUNNING);
        clock.advance(Duration.ofMinutes(3));
        JobState end = ended(job);
        assertThat(end.error()).isEqualTo("job timed out after 2m");
        assertThat(end.step(1).status()).isEqualTo(StepStatus.ERROR);
    }

    @Test
    void aCancelWhileATimedOutStepIsStoppingEndsTheJobCancelled() {
        runner.behave("slow").runsUntilStopped = 1;
        runner.behave("slow").failingStops = 2;
        Job job = submit(step("slow", Duration.ofSeconds(1)));
        awaitStep(job, 0, StepStatus.RUNNING);
        clock.advance(Duration.ofSeconds(2));
        awaitStep(job, 0, StepStatus.STOPPING);
        engine.cancel(job.id(), "changed my mind");
        JobState end = ended(job);
        soon().until(() -> runner.running().isEmpty());
        assertThat(end.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(engine.state(job.id()).step(0).status()).isEqualTo(StepStatus.CANCELLED);
    }

    @Test
    void onShutdownARunningJobGoesBackToTheQueueAndAnotherEngineResumesItAtThatStep() throws Exception {
        runner.behave("first").stdout = List.of("one");
        runner.behave("second").cat = true;
        runner.behave("second").runsUntilStopped = 1;
        Job job = submit(step("first"), step("second"));
        awaitStep(job, 1, StepStatus.RUNNING);
        engines.stop(engine);

        JobState handedBack = store.find(job.id()).orElseThrow();
        assertThat(handedBack.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(handedBack.steps()).extracting(StepRecord::status).containsExactly(StepStatus.COMPLETE, StepStatus.PENDING);
        assertThat(runner.running()).isEmpty();
        assertThat(store.log(job.id())).as("the interrupted step's lines stay until a take-over").contains("one");

        engine = start(TestEngines.Settings.defaults().withLeaseTime(LEASE));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.step(1).attempt()).isEqualTo(2);
        assertThat(store.log(job.id())).as("every attempt's lines, the next marked")
                .containsExactly("one", "one", "[dray] step 2 (second): attempt 2 begins", "one");
        assertThat(runner.containersOf(job.id())).hasSize(3);
    }

    @Test
    void theJobOfAnInstanceWhoseLeaseExpiredIsTakenOverAndItsOldContainerStopped() throws Exception {
        runner.behave("first").stdout = List.of("one");
        runner.behave("second").cat = true;
        runner.behave("second").runsUntilStopped = 1;
        Job job = submit(step("first"), step("second"));
        awaitStep(job, 1, StepStatus.RUNNING);
        String oldContainer = runner.containersOf(job.id()).get(1);

        JobEngine other = start(TestEngines.Settings.defaults().withLeaseTime(LEASE));
        store.silence(engine.instance());
        clock.advance(LEASE.multipliedBy(2));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.step(1).attempt()).isEqualTo(2);
        assertThat(store.log(job.id())).as("every attempt's lines, the next marked")
                .containsExactly("one", "one", "[dray] step 2 (second): attempt 2 begins", "one");
        soon().until(() -> runner.eventsOf(oldContainer).contains("removed"));
        assertThat(runner.eventsOf(oldContainer)).contains("stopped");
        assertThat(runner.allEvents()).contains("swept-instance " + engine.instance());
        assertThat(other.instance()).isNotEqualTo(engine.instance());
    }

    @Test
    void aRunWhoseClaimIsLostWritesNothingMoreAndStopsItsContainer() {
        runner.behave("long").runsUntilStopped = 1;
        Job job = submit(step("long"));
        awaitStep(job, 0, StepStatus.RUNNING);
        String container = runner.containersOf(job.id()).get(0);
        // What a take-over by another instance does: the job goes back to the queue, and is claimed anew.
        assertThat(store.requeueJobsOf(engine.instance(), id -> true)).containsExactly(job.id());
        soon().until(() -> runner.eventsOf(container).contains("removed"));
        assertThat(runner.eventsOf(container)).containsExactly("created", "started", "stopped", "removed");
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.step(0).attempt()).isEqualTo(2);
        assertThat(end.step(0).exitCode()).as("the second attempt's, not the stopped one's").isZero();
    }

    /**
     * The chaos soak's finding: an instance whose store went away for longer than its lease while it set a step up
     * wrote the step's state once the store was back, and started its container, just before another instance took
     * the job over and ran the step again. Such an instance now gives the step up, and hands its jobs back before it
     * renews its lease.
     */
    @Test
    void anInstanceWhoseLeaseLapsedInAStoreOutageStartsNoContainerAfterItAndHandsItsJobBack() throws Exception {
        CountDownLatch pull = new CountDownLatch(1);
        runner.behave("pulled").pullGate = pull;
        Job job = submit(step("pulled"));
        awaitStep(job, 0, StepStatus.PULLING);
        store.setUnavailable(true);
        clock.advance(LEASE.multipliedBy(2));
        Thread.sleep(LEASE.toMillis()); // renewals fail meanwhile
        pull.countDown();
        store.setUnavailable(false);

        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.step(0).attempt()).as("the lapsed attempt was given up").isEqualTo(2);
        assertThat(runner.containersOf(job.id()).stream().filter(c -> runner.eventsOf(c).contains("started")))
                .as("containers started").hasSize(1);
    }

    @Test
    void aClaimWhoseAnswerWasLostIsQueuedAgainAndRuns() {
        store.failNextAfterDoing("claimNext", new StoreUnavailableException("connection reset", null));
        Job job = submit(step("ok"));
        JobState end = ended(job);
        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(store.claimedBy(engine.instance())).isEmpty();
    }

    /**
     * A save whose answer was lost while Redis stalled is applied after all: the retried save then finds the job
     * changed and takes the claim for lost. The job must not be left running with nobody running it.
     */
    @Test
    void aSaveAppliedAfterItsAnswerWasLostLeavesNoJobRunningWithNobodyRunningIt() {
        for (int i = 0; i < 20; i++) {
            store.failNextAfterDoing("save", new StoreUnavailableException("Read timed out", null));
            JobState end = ended(submit(step("ok")));
            assertThat(end.status()).as("try %d", i).isEqualTo(JobStatus.COMPLETE);
        }
        assertThat(store.claimedBy(engine.instance())).isEmpty();
    }

    @Test
    void aChangeTheStoreRefusesFailsTheJobInsteadOfBeingTriedForever() {
        store.failNext("save", new StoreDataException("Redis refused the request: ERR script error", null));
        JobState end = ended(submit(step("ok")));
        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("the job store refused a change: Redis refused the request: ERR script error");
    }

    @Test
    void theLeaseIsRenewedWhileTheDockerEngineStalls() throws Exception {
        runner.sweepGate = new CountDownLatch(1);
        JobEngine stalled = start(TestEngines.Settings.defaults().withLeaseTime(LEASE));
        int before = store.heartbeatsOf(stalled.instance());
        Thread.sleep(LEASE.toMillis() * 2);
        assertThat(store.heartbeatsOf(stalled.instance())).isGreaterThan(before + 2);
        assertThat(stalled.healthCheck().execute().isHealthy()).isTrue();
        runner.sweepGate.countDown();
    }

    @Test
    void theEngineIsUnhealthyOnceItsLeaseWasNotRenewedForALease() {
        assertThat(engine.healthCheck().execute().isHealthy()).isTrue();
        store.setUnavailable(true);
        clock.advance(LEASE.multipliedBy(2));
        var result = engine.healthCheck().execute();
        assertThat(result.isHealthy()).isFalse();
        assertThat(result.getMessage()).startsWith("the lease was last renewed").endsWith("other instances may take over this one's jobs");
        store.setUnavailable(false);
        soon().until(() -> engine.healthCheck().execute().isHealthy());
    }

    @Test
    void anEndedJobIsDeletedOnceItsRetentionRanOutByOneInstanceOnly() throws Exception {
        store.setRetention(Duration.ofMinutes(10));
        JobEngine other = start(TestEngines.Settings.defaults().withLeaseTime(LEASE));
        List<Job> ended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ended.add(submit(step("ok")));
        }
        for (Job job : ended) {
            ended(job);
        }
        clock.advance(Duration.ofMinutes(11));
        soon().until(() -> store.list(JobQuery.ALL, 100).jobs().isEmpty());
        assertThat(store.published.stream().filter(e -> e.type().equals("job.deleted"))).hasSize(20);
        assertThat(other.instance()).isNotEqualTo(engine.instance());
    }

    @Test
    void cancelsRacingStepStartsNeverLeaveAContainerRunning() throws Exception {
        engines.stop(engine);
        engine = start(TestEngines.Settings.defaults().withWorkers(8).withLeaseTime(LEASE).withMaxQueuedJobs(1000));
        runner.behave("long").runsUntilStopped = Integer.MAX_VALUE;
        Random random = new Random(42);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Job job = submit(step("long"), step("long"));
            jobs.add(job);
            if (random.nextInt(3) == 0) {
                Thread.sleep(random.nextInt(3));
            }
            engine.cancel(job.id(), "race " + i);
        }
        for (Job job : jobs) {
            assertThat(ended(job).status()).isEqualTo(JobStatus.CANCELLED);
        }
        soon().until(() -> runner.running().isEmpty());
        for (Job job : jobs) {
            for (String container : runner.containersOf(job.id())) {
                assertThat(runner.eventsOf(container)).as("container %s of job %s", container, job.id())
                        .doesNotContain("stop-ignored").endsWith("removed");
            }
        }
    }

    // Retries

    private static Step retried(String image, int retries, Duration delay) {
        return step(image).withRetries(retries, delay);
    }

    @Test
    void aStepThatFailsTwiceSucceedsOnItsThirdAttemptOnTheSameInputAndPassesOnlyThatAttemptsOutput() {
        runner.behave("words").stdout = List.of("b", "a");
        ScriptedStepRunner.Behaviour flaky = runner.behave("flaky");
        flaky.cat = true;
        flaky.failingRuns = 2;
        runner.behave("cat").cat = true;
        Job job = submit(step("words"), retried("flaky", 2, null), step("cat"));

        JobState end = ended(job);

        assertThat(end.status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(end.step(1).attempt()).isEqualTo(3);
        assertThat(end.step(1).status()).isEqualTo(StepStatus.COMPLETE);
        List<StepRun> flakyRuns = runner.received.stream().filter(run -> run.index() == 1).toList();
        assertThat(flakyRuns).extracting(StepRun::attempt).containsExactly(1, 2, 3);
        assertThat(flakyRuns).extracting(run -> run.environment().get("DRAY_STEP_ATTEMPT")).containsExactly("1", "2", "3");
        assertThat(runner.inputsRead.subList(1, 4)).containsOnly("b\na\n");
        assertThat(runner.inputsRead.get(4)).as("the next step reads the successful attempt's output only").isEqualTo("b\na\n");
        assertThat(store.log(job.id())).containsExactly("b", "a",
                "attempt 1 failed",
                "[dray] step 2 (flaky) exited with code 1 (attempt 1 of 3); retrying in 10ms",
                "[dray] step 2 (flaky): attempt 2 begins",
                "attempt 2 failed",
                "[dray] step 2 (flaky) exited with code 1 (attempt 2 of 3); retrying in 20ms",
                "[dray] step 2 (flaky): attempt 3 begins",
                "b", "a",
                "b", "a");
        assertThat(store.published).extracting(JobEvent::type).containsSubsequence(
                "step.running", "step.retrying", "step.running", "step.retrying", "step.running", "step.exited");
    }

    @Test
    void aStepOutOfRetriesFailsTheJobWithItsLastAttemptsError() {
        runner.behave("broken").failingRuns = 10;
        Job job = submit(retried("broken", 1, Duration.ZERO), step("never"));

        JobState end = ended(job);

        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("step 1 (broken) exited with code 1");
        assertThat(end.step(0).attempt()).isEqualTo(2);
        assertThat(end.step(0).exitCode()).isEqualTo(1);
        assertThat(end.step(1).status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(runner.received).hasSize(2);
    }

    @Test
    void aStepThatCannotStartIsRetriedToo() {
        runner.behave("unstartable").createFailure = new StepFailedException("no such image");
        Job job = submit(retried("unstartable", 2, Duration.ZERO));

        JobState end = ended(job);

        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("step 1 (unstartable) could not run: no such image");
        assertThat(runner.received).hasSize(3);
        assertThat(end.step(0).attempt()).as("attempts that never began are counted too").isEqualTo(3);
        assertThat(store.published).filteredOn(event -> event.job().equals(job.id())).extracting(JobEvent::type)
                .containsExactly("job.queued", "job.running", "step.retrying", "step.retrying", "job.error");
    }

    @Test
    void aJobTimeoutWhileAStepThatNeverBeganWaitsForItsRetryFailsThatStep() throws Exception {
        restartWithLongRetryDelays();
        runner.behave("unstartable").createFailure = new StepFailedException("no such image");
        Job job = engine.submit("test", List.of(), List.of(retried("unstartable", 5, Duration.ofMinutes(1))),
                Duration.ofSeconds(30), null);
        soon().until(() -> store.find(job.id()).orElseThrow().step(0).awaitsAnotherAttempt());

        clock.advance(Duration.ofSeconds(31));

        assertThat(ended(job).step(0).status()).isEqualTo(StepStatus.ERROR);
    }

    /** An engine whose retries wait a minute, so that a test acts while one waits. */
    private void restartWithLongRetryDelays() throws InterruptedException {
        engine.stop();
        engine = start(TestEngines.Settings.defaults().withLeaseTime(LEASE).withShutdownGrace(Duration.ofMillis(100))
                .withRetryDelays(Duration.ofMinutes(1), Duration.ofMinutes(10)));
    }

    @Test
    void aCancelDuringTheWaitForARetryEndsTheJobAtOnceAndNothingIsRetried() throws Exception {
        restartWithLongRetryDelays();
        runner.behave("broken").failingRuns = 10;
        Job job = submit(retried("broken", 5, Duration.ofMinutes(1)));
        soon().until(() -> store.find(job.id()).orElseThrow().step(0).awaitsAnotherAttempt());

        long before = System.nanoTime();
        engine.cancel(job.id(), "not needed");
        soon().until(() -> store.claimedBy(engine.instance()).isEmpty());

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        JobState end = store.find(job.id()).orElseThrow();
        assertThat(end.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(end.step(0).status()).as("it had run: cancelled, not skipped").isEqualTo(StepStatus.CANCELLED);
        assertThat(runner.received).hasSize(1);
    }

    @Test
    void aJobTimeoutDuringTheWaitForARetryFailsTheStepAndNothingIsRetried() throws Exception {
        restartWithLongRetryDelays();
        runner.behave("broken").failingRuns = 10;
        Job job = engine.submit("test", List.of(), List.of(retried("broken", 5, Duration.ofMinutes(1))),
                Duration.ofSeconds(30), null);
        soon().until(() -> store.find(job.id()).orElseThrow().step(0).awaitsAnotherAttempt());

        clock.advance(Duration.ofSeconds(31));
        JobState end = ended(job);

        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).isEqualTo("job timed out after 30s");
        assertThat(end.step(0).status()).isEqualTo(StepStatus.ERROR);
        assertThat(runner.received).hasSize(1);
    }

    @Test
    void aStepThatTimedOutIsNotRetried() {
        runner.behave("slow").runsUntilStopped = 10;
        Job job = submit(step("slow", Duration.ofSeconds(5)).withRetries(3, Duration.ZERO));
        awaitStep(job, 0, StepStatus.RUNNING);

        clock.advance(Duration.ofSeconds(6));
        JobState end = ended(job);

        assertThat(end.status()).isEqualTo(JobStatus.ERROR);
        assertThat(end.error()).contains("timed out");
        assertThat(runner.received).hasSize(1);
    }

    @Test
    void retryDelaysDoubleUpToTheirCap() {
        Duration second = Duration.ofSeconds(1);
        Duration cap = Duration.ofSeconds(5);
        assertThat(List.of(1, 2, 3, 4, 50).stream().map(attempt -> Durations.backoff(second, cap, attempt)).toList())
                .containsExactly(second, Duration.ofSeconds(2), Duration.ofSeconds(4), cap, cap);
        assertThat(Durations.backoff(Duration.ZERO, cap, 7)).isZero();
    }

    // A job's input

    @Test
    void aJobsInputReachesItsFirstStepByteForByteAndLeavesTheStoreOnceThatStepSucceeded() throws Exception {
        runner.behave("cat").cat = true;
        byte[] input = "first line\nsecond line\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Job job = engine.submit(new JobRequest("with input", List.of(), List.of(step("cat"), step("cat")), null, null),
                new java.io.ByteArrayInputStream(input));

        assertThat(job.inputBytes()).isEqualTo(input.length);
        assertThat(ended(job).status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(runner.inputsRead.get(0)).isEqualTo("first line\nsecond line\n");
        assertThat(store.log(job.id())).containsExactly("first line", "second line", "first line", "second line");
        assertThat(store.hasInput(job.id())).isFalse();
    }

    @Test
    void anInputOfManyChunksIsStoredWhole() throws Exception {
        runner.behave("cat").cat = true;
        byte[] input = new byte[(1 << 20) * 2 + 17];
        new Random(7).nextBytes(input);
        Job job = engine.submit(new JobRequest(null, List.of(), List.of(step("cat"), step("cat")), null, null),
                new java.io.ByteArrayInputStream(input));

        assertThat(job.inputBytes()).isEqualTo(input.length);
        assertThat(ended(job).status()).isEqualTo(JobStatus.COMPLETE);
        assertThat(runner.inputsRead.get(1).length()).isEqualTo(
                new String(input, java.nio.charset.StandardCharsets.UTF_8).length());
    }

    @Test
    void aJobRefusedByAFullQueueLeavesNoInputBehind() throws Exception {
        engine.stop();
        JobEngine small = start(TestEngines.Settings.defaults().withWorkers(1).withMaxQueuedJobs(1));
        runner.behave("slow").runsUntilStopped = 1;
        Job running = small.submit(null, List.of(), List.of(step("slow")), null, null);
        awaitStep(running, 0, StepStatus.RUNNING);
        small.submit(null, List.of(), List.of(step("cat")), null, null);
        String[] refused = new String[1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> small.submit(
                        new JobRequest(null, List.of(), List.of(step("cat")), null, null),
                        new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}) {
                            @Override
                            public synchronized int read(byte[] b, int off, int len) {
                                int n = super.read(b, off, len);
                                refused[0] = "read";
                                return n;
                            }
                        }))
                .isInstanceOf(QueueFullException.class);
        assertThat(refused[0]).as("the input was stored before the queue refused the job").isEqualTo("read");
        assertThat(store.inputCount()).isZero();
    }

    @Test
    void aCancelledRunningJobsInputLeavesTheStore() throws Exception {
        runner.behave("slow").runsUntilStopped = 1;
        Job job = engine.submit(new JobRequest(null, List.of(), List.of(step("slow"), step("cat")), null, null),
                new java.io.ByteArrayInputStream(new byte[] {42}));
        awaitStep(job, 0, StepStatus.RUNNING);

        engine.cancel(job.id(), "not needed");

        assertThat(store.hasInput(job.id())).isFalse();
        soon().until(() -> store.claimedBy(engine.instance()).isEmpty());
        assertThat(store.hasInput(job.id())).as("nothing put it back").isFalse();
    }

    @Test
    void aFailedJobsInputLeavesTheStore() throws Exception {
        runner.behave("broken").exitCode = 2;
        Job job = engine.submit(new JobRequest(null, List.of(), List.of(step("broken")), null, null),
                new java.io.ByteArrayInputStream(new byte[] {42}));

        assertThat(ended(job).status()).isEqualTo(JobStatus.ERROR);
        soon().until(() -> !store.hasInput(job.id()));
    }
}
