package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every implementation of the stores promises, run against each of them (JobRunr's {@code StorageProviderTest} is
 * the model): the in-memory one the engine's unit tests use must mean what the Redis one means.
 */
public abstract class StoresContract {
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    protected Stores stores;

    /** Fresh, empty stores for each test. */
    protected abstract Stores newStores();

    /** The same stores (the same data), with a retention for jobs that set no ttl. */
    protected abstract Stores storesWithRetention(Duration retention);

    /** Lets {@code duration} pass for the stores' leases. */
    protected abstract void passTime(Duration duration) throws InterruptedException;

    @BeforeEach
    void freshStores() {
        stores = newStores();
    }

    protected static Job newJob(int steps) {
        List<Step> list = IntStream.range(0, steps).mapToObj(i -> new Step(i == 0 ? "first" : null, "img:" + i,
                List.of(new EnvVar("K", "v" + i), new EnvVar("S", "secret-" + i, true)), OutputChannel.parse("/out.txt"),
                true, "B", "E", Duration.ofSeconds(90), 512L << 20, 0.5)).toList();
        return new Job(UUID.randomUUID().toString(), "name", List.of(new EnvVar("J", "w")), list, Duration.ofMinutes(15), null);
    }

    protected Job queued(int steps) {
        Job job = newJob(steps);
        assertThat(stores.queue().enqueue(job, JobState.queued(job, T0), 1_000)).isTrue();
        return job;
    }

    /** Every job's id, in the list's order. */
    protected List<String> ids() {
        return stores.jobs().list(JobQuery.ALL, 1_000_000).jobs().stream().map(JobSummary::id).toList();
    }

    /** Appends stdout lines. */
    protected boolean append(Claim claim, String... lines) {
        return stores.logs().append(claim, List.of(lines), "o".repeat(lines.length));
    }

    /** The texts of the lines read, or empty if there is no such job. */
    protected Optional<List<String>> texts(String id, long from, int maxLines) {
        return stores.logs().read(id, from, maxLines, LogFilter.ALL)
                .map(page -> page.lines().stream().map(LogLine::text).toList());
    }

    protected Claim claim(String instance) {
        return stores.queue().claimNext(instance, Duration.ofMillis(100)).orElseThrow();
    }

    private Claim startedClaim(int steps) {
        queued(steps);
        Claim claim = claim("a");
        JobState started = stores.jobs().saveWithResumePoint(claim.state(), claim.state().started(T0), claim, 0, null)
                .orElseThrow();
        return new Claim(claim.job(), started, claim.instance(), claim.epoch(), claim.resumeInput());
    }

    private JobState state(String id) {
        return stores.jobs().find(id).orElseThrow();
    }

    @Test
    void aQueuedJobReadsBackWithAPendingRecordPerStep() {
        Job job = queued(2);
        JobState state = state(job.id());
        assertThat(state.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(state.createdAt()).isEqualTo(T0);
        assertThat(state.steps()).extracting(StepRecord::status).containsExactly(StepStatus.PENDING, StepStatus.PENDING);
        assertThat(state.steps()).extracting(StepRecord::name).containsExactly("first", null);
        assertThat(state.steps()).extracting(StepRecord::source).containsExactly("img:0", "img:1");
        assertThat(state.steps()).extracting(StepRecord::attempt).containsExactly(0, 0);
    }

    @Test
    void aJobsDefinitionReadsBackAsSubmittedWithEverySecretMasked() {
        Job submitted = newJob(2);
        Job job = new Job(submitted.id(), submitted.name(),
                List.of(new EnvVar("J", "w"), new EnvVar("TOKEN", "job-secret", true)), submitted.steps(),
                submitted.timeout(), Duration.ofHours(2), null,
                new Callback(java.net.URI.create("https://hooks.example/done"), "callback-secret"));
        assertThat(stores.queue().enqueue(job, JobState.queued(job, T0), 1_000)).isTrue();

        Job definition = stores.jobs().definition(job.id()).orElseThrow();
        assertThat(definition).isEqualTo(job.masked());
        assertThat(definition.environment()).containsExactly(new EnvVar("J", "w"), new EnvVar("TOKEN", "****", true));
        assertThat(definition.steps().get(1).environment())
                .containsExactly(new EnvVar("K", "v1"), new EnvVar("S", "****", true));
        assertThat(definition.callback()).isEqualTo(new Callback(java.net.URI.create("https://hooks.example/done"), "****"));
        assertThat(definition.steps().get(0).memoryBytes()).isEqualTo(512L << 20);
        assertThat(definition.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(stores.jobs().definition("no-such-job")).isEmpty();
    }

    @Test
    void jobsAreListedOldestFirst() {
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> queued(1).id()).toList();
        assertThat(ids()).containsExactlyElementsOf(ids);
    }

    @Test
    void theQueueRefusesJobsPastItsLimitAndSavesNothing() {
        queued(1);
        Job refused = newJob(1);
        assertThat(stores.queue().enqueue(refused, JobState.queued(refused, T0), 1)).isFalse();
        assertThat(stores.jobs().find(refused.id())).isEmpty();
        assertThat(ids()).doesNotContain(refused.id());
        assertThat(stores.queue().length()).isEqualTo(1);
    }

    @Test
    void aClaimTakesTheFrontJobWholeAndMakesTheInstanceItsOwner() {
        Job first = queued(2);
        queued(1);
        Claim claim = claim("a");
        assertThat(claim.job()).isEqualTo(first);
        assertThat(claim.state().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(claim.instance()).isEqualTo("a");
        assertThat(stores.queue().length()).isEqualTo(1);
        assertThat(stores.queue().claimedBy("a")).containsExactly(first.id());
        assertThat(stores.queue().lostClaims(List.of(claim))).isEmpty();
    }

    @Test
    void aClaimOnAnEmptyQueueWaitsAndComesBackEmpty() {
        long start = System.nanoTime();
        assertThat(stores.queue().claimNext("a", Duration.ofMillis(200))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void theOwnerSavesEachTransitionOverTheStateItComputedItFrom() {
        Claim claim = startedClaim(2);
        JobState created = stores.jobs().save(claim.state(), claim.state().stepCreated(0, "c1"), claim).orElseThrow();
        assertThat(created.version()).isGreaterThan(claim.state().version());
        JobState running = stores.jobs().save(created, created.stepRunning(0, T0.plusSeconds(1)), claim).orElseThrow();
        StepResult result = new StepResult(0, "sha256:abc", new StepRecord.Output(12, 3), new StepRecord.Output(5, 1), 12);
        JobState succeeded = stores.jobs().save(running, running.stepSucceeded(0, result, T0.plusSeconds(2)), claim)
                .orElseThrow();

        JobState stored = state(claim.jobId());
        assertThat(stored).isEqualTo(succeeded);
        StepRecord step = stored.step(0);
        assertThat(step.status()).isEqualTo(StepStatus.COMPLETE);
        assertThat(step.containerId()).isEqualTo("c1");
        assertThat(step.imageId()).isEqualTo("sha256:abc");
        assertThat(step.exitCode()).isZero();
        assertThat(step.startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(step.finishedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(step.attempt()).isEqualTo(1);
        assertThat(step.stdout()).isEqualTo(new StepRecord.Output(12, 3));
        assertThat(step.stderr()).isEqualTo(new StepRecord.Output(5, 1));
        assertThat(step.bytesPassed()).isEqualTo(12);
        assertThat(stored.stepsCompleted()).isEqualTo(1);
    }

    @Test
    void aChangeComputedFromAnOlderStateIsNotSavedSoNoTransitionUndoesAnother() {
        Claim claim = startedClaim(2);
        JobState before = claim.state();
        JobState created = stores.jobs().save(before, before.stepCreated(0, "c1"), claim).orElseThrow();
        JobState running = stores.jobs().save(created, created.stepRunning(0, T0), claim).orElseThrow();
        stores.jobs().save(running, running.stepSucceeded(0, StepResult.NONE, T0), claim).orElseThrow();

        // A cancel computed from a snapshot read before the step succeeded would set stepsCompleted back to 0.
        assertThat(stores.jobs().save(running, running.cancelled("stale", T0), null)).isEmpty();
        assertThat(stores.jobs().save(running, running.stepSucceeded(0, StepResult.NONE, T0), claim)).isEmpty();
        JobState stored = state(claim.jobId());
        assertThat(stored.stepsCompleted()).isEqualTo(1);
        assertThat(stored.status()).isEqualTo(JobStatus.RUNNING);

        JobState cancelled = stores.jobs().save(stored, stored.cancelled("fresh", T0), null).orElseThrow();
        assertThat(cancelled.stepsCompleted()).isEqualTo(1);
        assertThat(cancelled.steps()).extracting(StepRecord::status).containsExactly(StepStatus.COMPLETE, StepStatus.SKIPPED);
    }

    @Test
    void aFinalStateEndsTheClaimAndNothingIsSavedAfterIt() {
        Claim claim = startedClaim(1);
        JobState failed = stores.jobs().save(claim.state(),
                claim.state().stepFailed(0, StepResult.NONE, "step 1 (x) could not run", T0), claim).orElseThrow();
        assertThat(failed.step(0).status()).isEqualTo(StepStatus.ERROR);
        assertThat(stores.queue().lostClaims(List.of(claim))).containsExactly(claim);
        assertThat(stores.queue().claimedBy("a")).doesNotContain(claim.jobId());
        assertThat(stores.jobs().save(failed, failed, claim)).isEmpty();
        assertThat(stores.jobs().endedJobs(List.of(claim.jobId(), "no-such-job")))
                .containsExactlyInAnyOrder(claim.jobId(), "no-such-job");
    }

    @Test
    void aCancelledQueuedJobLeavesTheQueueAndIsNeverClaimed() {
        Job job = queued(2);
        JobState current = state(job.id());
        JobState cancelled = stores.jobs().save(current, current.cancelled("by test", T0), null).orElseThrow();
        assertThat(cancelled.steps()).extracting(StepRecord::status).containsOnly(StepStatus.SKIPPED);
        assertThat(stores.jobs().save(current, current.cancelled("twice", T0), null)).isEmpty();
        assertThat(state(job.id()).error()).isEqualTo("by test");
        assertThat(stores.queue().length()).isZero();
        assertThat(stores.queue().claimNext("a", Duration.ofMillis(50))).isEmpty();
    }

    @Test
    void aCancelEndsTheBegunStepAndTheClaimOfTheInstanceRunningIt() {
        Claim claim = startedClaim(2);
        JobState created = stores.jobs().save(claim.state(), claim.state().stepCreated(0, "c1"), claim).orElseThrow();
        JobState cancelled = stores.jobs().save(created, created.cancelled("stop", T0.plusSeconds(3)), null).orElseThrow();
        assertThat(cancelled.step(0).status()).isEqualTo(StepStatus.CANCELLED);
        assertThat(cancelled.step(0).finishedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(cancelled.step(1).status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(stores.queue().lostClaims(List.of(claim))).containsExactly(claim);
        assertThat(stores.jobs().save(created, created.stepRunning(0, T0), claim)).isEmpty();
        assertThat(append(claim, "written before the stop")).as("nothing the step wrote is lost")
                .isTrue();
        assertThat(texts(claim.jobId(), 0, 10)).contains(List.of("written before the stop"));
    }

    @Test
    void logLinesAreReadFromAnIndex() {
        Claim claim = startedClaim(1);
        assertThat(append(claim, "a", "b")).isTrue();
        assertThat(append(claim, "c", "", "é ✓")).isTrue();
        assertThat(texts(claim.jobId(), 0, 1_000)).contains(List.of("a", "b", "c", "", "é ✓"));
        assertThat(texts(claim.jobId(), 3, 1_000)).contains(List.of("", "é ✓"));
        assertThat(texts(claim.jobId(), 1, 2)).contains(List.of("b", "c"));
        assertThat(texts(claim.jobId(), 10, 1_000)).contains(List.of());
        assertThat(texts("no-such-job", 0, 1_000)).isEmpty();
    }

    @Test
    void eachLineIsReadWithItsIndexAndStreamAndAPageSaysWhetherTheLogIsWhole() {
        Claim claim = startedClaim(1);
        assertThat(stores.logs().append(claim, List.of("out", "err", "out again"), "oeo")).isTrue();
        LogPage page = stores.logs().read(claim.jobId(), 0, 2, LogFilter.ALL).orElseThrow();
        assertThat(page.lines()).containsExactly(new LogLine(0, LogStream.STDOUT, "out"), new LogLine(1, LogStream.STDERR, "err"));
        assertThat(page.next()).isEqualTo(2);
        assertThat(page.exhausted()).isFalse();
        LogPage rest = stores.logs().read(claim.jobId(), 2, 10, LogFilter.ALL).orElseThrow();
        assertThat(rest.lines()).containsExactly(new LogLine(2, LogStream.STDOUT, "out again"));
        assertThat(rest.exhausted()).isTrue();
        assertThat(rest.isLast()).as("the job still runs").isFalse();
        assertThat(rest.jobStatus()).isEqualTo(JobStatus.RUNNING);

        LogPage stderr = stores.logs().read(claim.jobId(), 0, 10, new LogFilter(null, LogStream.STDERR)).orElseThrow();
        assertThat(stderr.lines()).containsExactly(new LogLine(1, LogStream.STDERR, "err"));
        assertThat(stderr.next()).as("the filter skips lines, the index moves past them").isEqualTo(3);
    }

    @Test
    void aPageEndsOnceItHoldsAQuarterOfAMegabyteWhateverItsLinesCount() {
        Claim claim = startedClaim(1);
        String long100k = "x".repeat(100 * 1024);
        for (int i = 0; i < 10; i++) {
            append(claim, long100k);
        }
        LogPage page = stores.logs().read(claim.jobId(), 0, 1000, LogFilter.ALL).orElseThrow();
        assertThat(page.lines()).hasSize(3);
        assertThat(page.next()).isEqualTo(3);
        assertThat(page.exhausted()).isFalse();
        assertThat(page.length()).isEqualTo(10);
    }

    @Test
    void theLinesOfOneStepAreThoseFromWhereItBeganToWhereTheNextBegan() {
        Claim claim = startedClaim(3);
        JobState s = claim.state();
        append(claim, "step 0 a", "step 0 b");
        s = stores.jobs().saveWithResumePoint(s, s.stepCreated(0, "c0").stepRunning(0, T0).stepSucceeded(0, StepResult.NONE, T0),
                claim, 1, null).orElseThrow();
        append(claim, "step 1 a");
        LogFilter second = new LogFilter(1, null);
        LogPage running = stores.logs().read(claim.jobId(), 0, 10, second).orElseThrow();
        assertThat(running.lines()).extracting(LogLine::index, LogLine::text).containsExactly(tuple(2L, "step 1 a"));
        s = stores.jobs().saveWithResumePoint(s, s.stepCreated(1, "c1").stepRunning(1, T0).stepSucceeded(1, StepResult.NONE, T0),
                claim, 2, null).orElseThrow();
        append(claim, "step 2 a");
        assertThat(stores.logs().read(claim.jobId(), 0, 10, second).orElseThrow().lines())
                .extracting(LogLine::text).containsExactly("step 1 a");
        assertThat(stores.logs().read(claim.jobId(), 0, 10, new LogFilter(0, null)).orElseThrow().lines())
                .extracting(LogLine::text).containsExactly("step 0 a", "step 0 b");
        s = stores.jobs().save(s, s.failed("stop", T0), claim).orElseThrow();
        LogPage never = stores.logs().read(claim.jobId(), 0, 10, new LogFilter(2, null)).orElseThrow();
        assertThat(never.lines()).extracting(LogLine::text).containsExactly("step 2 a");
        assertThat(never.isLast()).isTrue();
    }

    @Test
    void aListKeepsWhatTheQueryAsksForInOrderAndPagesByPosition() {
        List<String> ids = IntStream.range(0, 7).mapToObj(i -> queued(1).id()).toList();
        JobState second = state(ids.get(1));
        stores.jobs().save(second, second.cancelled("no", T0.plusSeconds(5)), null).orElseThrow();

        JobListPage all = stores.jobs().list(JobQuery.ALL, 100);
        assertThat(all.jobs()).extracting(JobSummary::id).containsExactlyElementsOf(ids);
        assertThat(all.next()).as("every job was looked at").isNull();
        JobSummary cancelled = all.jobs().get(1);
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.name()).isEqualTo("name");
        assertThat(cancelled.createdAt()).isEqualTo(T0);
        assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(5));

        JobListPage firstThree = stores.jobs().list(JobQuery.ALL, 3);
        assertThat(firstThree.jobs()).extracting(JobSummary::id).containsExactlyElementsOf(ids.subList(0, 3));
        stores.jobs().delete(ids.get(3));
        JobListPage rest = stores.jobs().list(JobQuery.ALL.after(firstThree.next()), 100);
        assertThat(rest.jobs()).as("a deleted job leaves no gap nor repeat").extracting(JobSummary::id)
                .containsExactlyElementsOf(ids.subList(4, 7));

        JobQuery newest = new JobQuery(Set.of(JobStatus.QUEUED), "na", null, null, true, null);
        assertThat(stores.jobs().list(newest, 100).jobs()).extracting(JobSummary::id)
                .containsExactly(ids.get(6), ids.get(5), ids.get(4), ids.get(2), ids.get(0));
        JobQuery other = new JobQuery(Set.of(), "other", null, null, false, null);
        assertThat(stores.jobs().list(other, 100).jobs()).isEmpty();
        JobQuery later = new JobQuery(Set.of(), null, T0.plusSeconds(1), null, false, null);
        assertThat(stores.jobs().list(later, 100).jobs()).isEmpty();
        JobQuery earlier = new JobQuery(Set.of(), null, null, T0.plusSeconds(1), false, null);
        assertThat(stores.jobs().list(earlier, 100).jobs()).hasSize(6);
    }

    @Test
    void anEndedJobIsDueForDeletionOnceItsTtlPassedAndOnlyOnceDeleted() {
        Job kept = queued(1);
        Job job = newJob(1);
        Job shortLived = new Job(job.id(), job.name(), job.environment(), job.steps(), null, Duration.ofSeconds(30));
        assertThat(stores.queue().enqueue(shortLived, JobState.queued(shortLived, T0), 100)).isTrue();
        JobState queued = state(shortLived.id());
        stores.jobs().save(queued, queued.cancelled("done", T0.plusSeconds(10)), null).orElseThrow();
        JobState other = state(kept.id());
        stores.jobs().save(other, other.cancelled("done", T0.plusSeconds(10)), null).orElseThrow();

        assertThat(stores.jobs().expired(T0.plusSeconds(39), 10)).isEmpty();
        assertThat(stores.jobs().expired(T0.plusSeconds(40), 10)).as("the other job is kept forever")
                .containsExactly(shortLived.id());
        assertThat(stores.jobs().delete(shortLived.id())).isTrue();
        assertThat(stores.jobs().delete(shortLived.id())).as("a second sweeper finds it gone").isFalse();
        assertThat(stores.jobs().expired(T0.plusSeconds(40), 10)).isEmpty();
    }

    @Test
    void aJobThatEndedBeforeARetentionWasSetIsDueByItOnceScheduled() {
        Job job = queued(1);
        JobState queued = state(job.id());
        stores.jobs().save(queued, queued.cancelled("done", T0), null).orElseThrow();
        assertThat(stores.jobs().expired(T0.plus(Duration.ofDays(1000)), 10)).as("kept forever").isEmpty();
        Stores withRetention = storesWithRetention(Duration.ofHours(1));
        withRetention.jobs().scheduleExpiries();
        assertThat(withRetention.jobs().expired(T0.plusSeconds(3599), 10)).isEmpty();
        assertThat(withRetention.jobs().expired(T0.plusSeconds(3600), 10)).containsExactly(job.id());
    }

    @Test
    void aDeletedJobIsGoneAndNeverWrittenAgain() {
        Claim claim = startedClaim(1);
        append(claim, "line");
        assertThat(stores.jobs().delete(claim.jobId())).isTrue();
        assertThat(stores.jobs().find(claim.jobId())).isEmpty();
        assertThat(ids()).doesNotContain(claim.jobId());
        assertThat(texts(claim.jobId(), 0, 10)).isEmpty();
        assertThat(stores.jobs().save(claim.state(), claim.state().stepCreated(0, "c"), claim)).isEmpty();
        assertThat(append(claim, "late")).isFalse();
        assertThat(stores.queue().lostClaims(List.of(claim))).containsExactly(claim);
        assertThat(stores.jobs().find(claim.jobId())).isEmpty();
        assertThat(stores.jobs().delete(claim.jobId())).isFalse();
    }

    @Test
    void aHandedBackJobIsResumedAtItsBegunStepOnItsKeptInputWithoutThatStepsLines() {
        Claim first = startedClaim(3);
        JobState s = first.state();
        s = stores.jobs().save(s, s.stepCreated(0, "c0"), first).orElseThrow();
        s = stores.jobs().save(s, s.stepRunning(0, T0), first).orElseThrow();
        append(first, "step 1 line");
        s = stores.jobs().saveWithResumePoint(s, s.stepSucceeded(0, StepResult.NONE, T0), first, 1,
                "/data/job-x/step-1.input").orElseThrow();
        s = stores.jobs().save(s, s.stepCreated(1, "c1"), first).orElseThrow();
        s = stores.jobs().save(s, s.stepRunning(1, T0), first).orElseThrow();
        append(first, "step 2 partial");
        assertThat(stores.queue().requeue(first, s, s.requeued())).isTrue();

        JobState queued = state(first.jobId());
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.step(1).status()).isEqualTo(StepStatus.PENDING);
        assertThat(queued.step(1).attempt()).isEqualTo(1);
        assertThat(stores.queue().claimedBy("a")).isEmpty();
        Claim second = claim("b");
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertThat(second.state().stepsCompleted()).isEqualTo(1);
        assertThat(second.resumeInput()).isEqualTo("/data/job-x/step-1.input");
        assertThat(texts(first.jobId(), 0, 10)).as("a log is only appended to").contains(List.of("step 1 line", "step 2 partial"));
        assertThat(append(first, "late")).isFalse();
        assertThat(stores.queue().lostClaims(List.of(first, second))).containsExactly(first);

        JobState resumed = stores.jobs().save(second.state(), second.state().started(T0.plusSeconds(9)), second).orElseThrow();
        resumed = stores.jobs().save(resumed, resumed.stepCreated(1, "c1b"), second).orElseThrow();
        assertThat(resumed.step(1).attempt()).as("the second attempt").isEqualTo(2);
        assertThat(resumed.startedAt()).as("a job starts once").isEqualTo(T0);
    }

    @Test
    void aJobTakenOverJustAfterAStepSucceededResumesAtTheNextStepOnItsKeptInput() {
        Claim first = startedClaim(2);
        JobState s = stores.jobs().save(first.state(), first.state().stepCreated(0, "c0"), first).orElseThrow();
        s = stores.jobs().save(s, s.stepRunning(0, T0), first).orElseThrow();
        append(first, "step 1 line");
        s = stores.jobs().saveWithResumePoint(s, s.stepSucceeded(0, StepResult.NONE, T0), first, 1, "/kept/step-1.input")
                .orElseThrow();
        assertThat(stores.queue().requeueJobsOf("a", id -> true)).containsExactly(first.jobId());
        Claim second = claim("b");
        assertThat(second.resumeInput()).isEqualTo("/kept/step-1.input");
        assertThat(second.state().stepsCompleted()).isEqualTo(1);
        assertThat(texts(first.jobId(), 0, 10)).contains(List.of("step 1 line"));
    }

    @Test
    void theJobsOfADeadInstanceAreTakenBackAndItsStaleWritesRefused() throws Exception {
        Claim first = startedClaim(1);
        JobState s = stores.jobs().save(first.state(), first.state().stepCreated(0, "c0"), first).orElseThrow();
        append(first, "partial line of the interrupted step");
        stores.instances().heartbeat("a", Duration.ofMillis(50));
        stores.instances().heartbeat("b", Duration.ofMinutes(1));
        assertThat(stores.instances().live()).contains("a", "b");
        passTime(Duration.ofMillis(100));
        assertThat(stores.instances().dead()).contains("a").doesNotContain("b");

        assertThat(stores.queue().requeueJobsOf("a", id -> true)).containsExactly(first.jobId());
        stores.instances().forget("a");
        assertThat(stores.instances().dead()).doesNotContain("a");
        assertThat(stores.instances().live()).doesNotContain("a");
        assertThat(state(first.jobId()).step(0).status()).isEqualTo(StepStatus.PENDING);

        Claim second = claim("b");
        assertThat(texts(first.jobId(), 0, 10)).as("what the interrupted attempt wrote is kept")
                .contains(List.of("partial line of the interrupted step"));
        assertThat(append(first, "late")).isFalse();
        assertThat(stores.jobs().save(s, s.stepRunning(0, T0), first)).isEmpty();
        assertThat(stores.jobs().save(second.state(), second.state().started(T0), second)).isPresent();
    }

    @Test
    void requeuingSomeOfAnInstancesClaimsForgetsThoseItNoLongerOwns() {
        queued(1);
        queued(1);
        queued(1);
        Claim kept = claim("a");
        Claim orphan = claim("a");
        Claim ended = claim("a");
        stores.jobs().save(ended.state(), ended.state().failed("gone", T0), null).orElseThrow();
        List<String> requeued = stores.queue().requeueJobsOf("a", id -> !id.equals(kept.jobId()));
        assertThat(requeued).containsExactly(orphan.jobId());
        assertThat(stores.queue().claimedBy("a")).containsExactly(kept.jobId());
        assertThat(claim("b").jobId()).isEqualTo(orphan.jobId());
        assertThat(stores.queue().lostClaims(List.of(kept, orphan))).containsExactly(orphan);
    }

    @Test
    void aReleasedClaimIsNoLongerListed() {
        queued(1);
        Claim claim = claim("a");
        stores.jobs().delete(claim.jobId());
        stores.queue().release(claim);
        assertThat(stores.queue().claimedBy("a")).isEmpty();
    }

    /** A write that timed out while Redis stalled, applied when it went on, makes a claim look lost that is not. */
    @Test
    void releasingAClaimThatStillHoldsQueuesItsJobAgain() {
        queued(1);
        Claim held = claim("a");
        stores.queue().release(held);
        assertThat(stores.queue().claimedBy("a")).isEmpty();
        assertThat(state(held.jobId()).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(claim("b").jobId()).as("the job runs again, elsewhere or here").isEqualTo(held.jobId());
    }

    @Test
    void releasingALostClaimKeepsTheInstancesNewerClaimOfTheSameJob() {
        queued(1);
        Claim old = claim("a");
        assertThat(stores.queue().requeueJobsOf("a", id -> true)).containsExactly(old.jobId());
        Claim again = claim("a");
        stores.queue().release(old);
        assertThat(stores.queue().claimedBy("a")).containsExactly(again.jobId());
        assertThat(stores.queue().lostClaims(List.of(old, again))).containsExactly(old);
    }

    @Test
    void anInstanceThatRetiresIsForgottenAtOnce() {
        stores.instances().heartbeat("a", Duration.ofMinutes(1));
        stores.instances().retire("a");
        assertThat(stores.instances().live()).doesNotContain("a");
        assertThat(stores.instances().dead()).doesNotContain("a");
    }

    @Test
    void anInstanceThatRenewedItsLeaseIsNotForgotten() {
        stores.instances().heartbeat("a", Duration.ofMinutes(1));
        stores.instances().forget("a");
        assertThat(stores.instances().live()).contains("a");
    }

    // Inputs

    private Job withInput(Job job, long bytes) {
        return new Job(job.id(), job.name(), job.environment(), job.steps(), job.timeout(), job.ttl(), bytes, null);
    }

    private Optional<String> input(String id) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("dray-input-", ".bin");
        try {
            return stores.inputs().copyTo(id, file)
                    ? Optional.of(java.nio.file.Files.readString(file)) : Optional.empty();
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void aJobsInputIsKeptWholeWithItsJobUntilItIsDiscardedOrTheJobDeleted() throws Exception {
        Job job = newJob(1);
        byte[] first = "first ".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] second = "second and not this".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        stores.inputs().append(job.id(), first, first.length);
        stores.inputs().append(job.id(), second, 6);
        Job withInput = withInput(job, 12);
        assertThat(stores.queue().enqueue(withInput, JobState.queued(withInput, T0), 1_000)).isTrue();

        assertThat(input(job.id())).contains("first second");
        assertThat(input(job.id())).as("reading keeps it").contains("first second");
        stores.inputs().discard(job.id());
        assertThat(input(job.id())).isEmpty();

        Job another = newJob(1);
        stores.inputs().append(another.id(), first, first.length);
        Job anotherWithInput = withInput(another, first.length);
        stores.queue().enqueue(anotherWithInput, JobState.queued(anotherWithInput, T0), 1_000);
        assertThat(stores.jobs().delete(another.id())).isTrue();
        assertThat(input(another.id())).isEmpty();
    }

    @Test
    void aJobWhoseInputIsNotAllInTheStoreIsNotQueued() {
        Job job = newJob(1);
        stores.inputs().append(job.id(), new byte[] {1, 2, 3}, 3);
        Job withInput = withInput(job, 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> stores.queue().enqueue(withInput, JobState.queued(withInput, T0), 1_000))
                .isInstanceOf(StoreDataException.class)
                .hasMessageContaining("input");
        assertThat(ids()).doesNotContain(job.id());
        assertThat(stores.queue().length()).isZero();
    }

    @Test
    void aJobsInputSurvivesInItsStoredJob() {
        Job job = newJob(1);
        stores.inputs().append(job.id(), new byte[] {7}, 1);
        Job withInput = withInput(job, 1);
        stores.queue().enqueue(withInput, JobState.queued(withInput, T0), 1_000);
        assertThat(claim("a").job().inputBytes()).isEqualTo(1);
    }

    // Callbacks

    private Job queuedWithCallback() {
        Job plain = newJob(1);
        Job job = new Job(plain.id(), plain.name(), plain.environment(), plain.steps(), plain.timeout(), plain.ttl(),
                null, new Callback(java.net.URI.create("http://127.0.0.1:9/hook"), "hook-secret"));
        assertThat(stores.queue().enqueue(job, JobState.queued(job, T0), 1_000)).isTrue();
        return job;
    }

    @Test
    void aCallbackWaitsForItsJobsEndThenIsDueClaimedOnceAndRecorded() {
        Job job = queuedWithCallback();
        JobState queuedState = state(job.id());
        assertThat(queuedState.callback()).isEqualTo(new CallbackStatus(CallbackStatus.State.WAITING, 0, null));
        assertThat(stores.callbacks().due(T0.plusSeconds(3600), 10)).isEmpty();

        Instant end = T0.plusSeconds(5);
        stores.jobs().save(queuedState, queuedState.cancelled("no", end), null).orElseThrow();
        assertThat(state(job.id()).callback().state()).isEqualTo(CallbackStatus.State.PENDING);
        assertThat(stores.callbacks().due(end.minusMillis(1), 10)).isEmpty();
        assertThat(stores.callbacks().due(end, 10)).containsExactly(job.id());

        Instant lease = end.plusSeconds(15);
        CallbackDelivery first = stores.callbacks().claim(job.id(), end, lease, "delivery-1").orElseThrow();
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.deliveryId()).isEqualTo("delivery-1");
        assertThat(first.dueSince()).isEqualTo(end);
        assertThat(first.callback().secret()).as("decrypted for signing").isEqualTo("hook-secret");
        assertThat(first.unreadable()).isNull();
        assertThat(first.state().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(stores.callbacks().claim(job.id(), end, lease.plusSeconds(1), "other")).as("claimed once").isEmpty();
        assertThat(stores.callbacks().due(end.plusSeconds(14), 10)).as("not due while claimed").isEmpty();

        Instant retryAt = end.plusSeconds(2);
        assertThat(stores.callbacks().failed(first, "answered 500", retryAt)).isTrue();
        assertThat(state(job.id()).callback()).isEqualTo(new CallbackStatus(CallbackStatus.State.PENDING, 1, "answered 500"));
        assertThat(stores.callbacks().due(retryAt, 10)).containsExactly(job.id());
        assertThat(stores.callbacks().delivered(first)).as("its claim ended with its record").isFalse();

        CallbackDelivery second = stores.callbacks().claim(job.id(), retryAt, retryAt.plusSeconds(15), "ignored")
                .orElseThrow();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.deliveryId()).as("the same delivery").isEqualTo("delivery-1");
        assertThat(second.dueSince()).isEqualTo(end);
        assertThat(stores.callbacks().delivered(second)).isTrue();
        assertThat(state(job.id()).callback()).isEqualTo(new CallbackStatus(CallbackStatus.State.DELIVERED, 2, null));
        assertThat(stores.callbacks().due(end.plusSeconds(3600), 10)).isEmpty();
    }

    @Test
    void aCallbackThatFailedForGoodIsNoLongerDue() {
        Job job = queuedWithCallback();
        JobState queuedState = state(job.id());
        stores.jobs().save(queuedState, queuedState.cancelled("no", T0), null).orElseThrow();
        CallbackDelivery claim = stores.callbacks().claim(job.id(), T0, T0.plusSeconds(15), "d").orElseThrow();
        assertThat(stores.callbacks().gaveUp(claim, "answered 404")).isTrue();
        assertThat(state(job.id()).callback()).isEqualTo(new CallbackStatus(CallbackStatus.State.FAILED, 1, "answered 404"));
        assertThat(stores.callbacks().due(T0.plusSeconds(3600), 10)).isEmpty();
    }

    @Test
    void aDeletedJobsCallbackIsNoLongerDue() {
        Job job = queuedWithCallback();
        JobState queuedState = state(job.id());
        stores.jobs().save(queuedState, queuedState.cancelled("no", T0), null).orElseThrow();
        assertThat(stores.jobs().delete(job.id())).isTrue();
        assertThat(stores.callbacks().due(T0.plusSeconds(1), 10)).isEmpty();
        assertThat(stores.callbacks().claim(job.id(), T0.plusSeconds(1), T0.plusSeconds(16), "d")).isEmpty();
    }

    @Test
    void aJobWithoutACallbackIsNeverDue() {
        Job job = queued(1);
        JobState queuedState = state(job.id());
        stores.jobs().save(queuedState, queuedState.cancelled("no", T0), null).orElseThrow();
        assertThat(state(job.id()).callback()).isNull();
        assertThat(stores.callbacks().due(T0.plusSeconds(3600), 10)).isEmpty();
    }

    @Test
    void aJobWhoseCallbackIsPendingOutlivesItsRetentionUntilTheCallbackIsDone() {
        stores = storesWithRetention(Duration.ofSeconds(10));
        Job job = queuedWithCallback();
        JobState queuedState = state(job.id());
        stores.jobs().save(queuedState, queuedState.cancelled("no", T0), null).orElseThrow();
        Instant past = T0.plusSeconds(11);
        assertThat(stores.jobs().expired(past, 10)).as("its callback is pending").doesNotContain(job.id());
        assertThat(stores.jobs().expired(past, 10)).as("kept on").doesNotContain(job.id());
        CallbackDelivery claim = stores.callbacks().claim(job.id(), past, past.plusSeconds(15), "d").orElseThrow();
        stores.callbacks().delivered(claim);
        assertThat(stores.jobs().expired(past.plus(JobStore.KEPT_FOR_CALLBACK), 10)).containsExactly(job.id());
    }
}
