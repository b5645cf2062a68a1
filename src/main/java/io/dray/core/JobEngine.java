package io.dray.core;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine as the API sees it: takes jobs into the shared queue, answers what is known of them, cancels and deletes
 * them; and, as a managed object, starts and stops the parts that run them, each on its own executor: the
 * {@link Dispatcher} (claims jobs and runs them on workers), the {@link LeaseKeeper} (this instance's lease, lost
 * claims, dead instances' jobs), the {@link LeftoverSweeper} (containers nobody else removes), the {@link Deadlines},
 * the {@link LogFlusher}, the {@link CompletionWaiters} and the {@link RetentionSweeper}. Several instances may share one store: each job runs on one
 * of them, and an instance that dies has its jobs taken over once its lease expires. Knows neither HTTP nor Redis nor
 * Docker.
 */
public final class JobEngine implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);
    private static final int FINISHED_STATES_CACHED = 10_000;
    /** How much of a job's input is read into memory, and written to the store, at a time. */
    private static final int INPUT_CHUNK_BYTES = 1 << 20;
    /** How long a stopping instance waits for its stopped runs to hand their jobs back. */
    private static final Duration HAND_BACK_TIME = Duration.ofSeconds(30);

    /**
     * @param maxQueuedJobs how many jobs may wait in the queue before new ones are refused
     * @param logFlushInterval the longest a log line waits in memory before it is written
     * @param leaseTime how long an instance that stopped renewing its lease keeps its jobs
     * @param shutdownGrace how long a stopping instance lets running steps finish before it hands their jobs back
     * @param defaultStepTimeout a step's timeout when it sets none; null for none
     * @param maxBufferedLogLines log lines a job may hold in memory while the store is down
     * @param retryDelay the wait before a step's first retry when the step sets none
     * @param maxRetryDelay the longest wait before a retry, however often the wait doubled
     */
    public record Settings(
            int workers,
            int maxQueuedJobs,
            Duration logFlushInterval,
            int logBatchLines,
            int logBatchBytes,
            Duration leaseTime,
            Duration shutdownGrace,
            Duration defaultStepTimeout,
            int maxBufferedLogLines,
            Duration finishedJobCacheTime,
            Duration retryDelay,
            Duration maxRetryDelay) {}

    /**
     * The executors of the engine's duties, one per duty, each bounded.
     *
     * @param dispatcher one thread: the claiming loop
     * @param workers one thread per job that may run at once
     * @param stops where started containers are stopped, retries included: one thread per worker is enough
     */
    public record Executors(
            ExecutorService dispatcher,
            ExecutorService workers,
            ScheduledExecutorService leaseKeeper,
            ScheduledExecutorService sweeper,
            ScheduledExecutorService deadlines,
            ScheduledExecutorService logFlusher,
            ScheduledExecutorService waiters,
            ExecutorService stops,
            ScheduledExecutorService retention) {}

    private final Stores stores;
    private final SpoolDirectory spools;
    private final Clock clock;
    private final Settings settings;
    private final ImageAllowList allowedImages;
    private final String instance = UUID.randomUUID().toString();
    private final Dispatcher dispatcher;
    private final LeaseKeeper leaseKeeper;
    private final LeftoverSweeper sweeper;
    private final Deadlines deadlines;
    private final LogFlusher logFlusher;
    private final CompletionWaiters waiters;
    private final RetentionSweeper retention;
    /**
     * Finished jobs' states, which never change again: clients poll a job long after it ended. The one change a
     * finished job can still see is its deletion, which this instance forgets at once; a deletion through another
     * instance shows here after the cache time at most.
     */
    private final Cache<String, JobState> finishedStates;
    private final com.codahale.metrics.Meter submitted;

    public JobEngine(Stores stores, StepRunner runner, SpoolDirectory spools, Clock clock, Settings settings,
            ImageAllowList allowedImages, MetricRegistry metrics, Executors executors) {
        this.stores = stores;
        this.spools = spools;
        this.clock = clock;
        this.settings = settings;
        this.allowedImages = allowedImages;
        this.finishedStates = Caffeine.newBuilder()
                .expireAfterWrite(settings.finishedJobCacheTime())
                .maximumSize(FINISHED_STATES_CACHED)
                .build();
        this.submitted = metrics.meter("jobs.submitted");
        JobRun.Context context = new JobRun.Context(stores, runner, spools, clock, settings.defaultStepTimeout(),
                settings.retryDelay(), settings.maxRetryDelay(), metrics.timer("steps.duration"), executors.stops(),
                () -> leaseKeeper().leaseHeld());
        this.waiters = new CompletionWaiters(stores.jobs(), this::state, id -> dispatcher().runsHere(id),
                executors.waiters());
        this.dispatcher = new Dispatcher(instance, stores.queue(), context,
                new Dispatcher.LogSettings(settings.logBatchLines(), settings.logBatchBytes(), settings.maxBufferedLogLines()),
                executors.dispatcher(), executors.workers(), settings.workers(), clock,
                metrics.meter("jobs.completed"), metrics.meter("jobs.failed"), waiters::jobLeft);
        this.sweeper = new LeftoverSweeper(runner, executors.sweeper(), settings.leaseTime(), () -> leaseKeeper().liveInstances());
        this.leaseKeeper = new LeaseKeeper(instance, stores, dispatcher, sweeper, executors.leaseKeeper(),
                settings.leaseTime(), clock);
        this.deadlines = new Deadlines(dispatcher, executors.deadlines(), clock);
        this.logFlusher = new LogFlusher(dispatcher, executors.logFlusher(), settings.logFlushInterval());
        this.retention = new RetentionSweeper(stores.jobs(), executors.retention(), clock, metrics.meter("jobs.expired"),
                finishedStates::invalidate);
        metrics.gauge("jobs.running", () -> this::jobsRunningHere);
        metrics.gauge("jobs.queued", () -> this::queueLength);
    }

    private Dispatcher dispatcher() {
        return dispatcher;
    }

    private LeaseKeeper leaseKeeper() {
        return leaseKeeper;
    }

    /** This instance's name in the store and on its containers. */
    public String instance() {
        return instance;
    }

    /** The jobs this instance runs now. */
    public int jobsRunningHere() {
        return dispatcher.runs().size();
    }

    /** The jobs waiting in the queue for any instance, as the lease keeper last read it (every few seconds). */
    public long queueLength() {
        return leaseKeeper.queueLength();
    }

    /** The engine's own health: whether its lease is renewed and its dispatcher claims jobs. */
    public HealthCheck healthCheck() {
        return new EngineHealthCheck(leaseKeeper, dispatcher, clock);
    }

    @Override
    public void start() {
        leaseKeeper.start();
        sweeper.start();
        dispatcher.start();
        deadlines.start();
        logFlusher.start();
        waiters.start();
        retention.start();
    }

    /**
     * Stops taking jobs, lets running steps finish for up to the shutdown grace, then stops the rest and hands their
     * jobs back to the queue, where another instance (or this one, restarted) resumes them.
     */
    @Override
    public void stop() throws InterruptedException {
        dispatcher.stopClaiming();
        awaitNoRuns(settings.shutdownGrace());
        dispatcher.runs().forEach(run -> run.stop(JobRun.StopReason.SHUTDOWN));
        awaitNoRuns(HAND_BACK_TIME);
        waiters.answerAll();
        leaseKeeper.retire();
    }

    /** Waits in elapsed time, not the clock's: a shutdown takes as long as it takes, whatever the time of day. */
    private void awaitNoRuns(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!dispatcher.runs().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /**
     * Persists a new job at the back of the queue; returns at once.
     *
     * @throws ImageNotAllowedException if a step's image is not allowed, before anything is written
     * @throws QueueFullException if too many jobs wait
     */
    public Job submit(String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl) {
        try {
            return submit(new JobRequest(name, environment, steps, timeout, ttl), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // there is no input to read
        }
    }

    /**
     * Persists a new job whose first step reads {@code input} on its stdin (null for none) at the back of the queue,
     * once the input is read to its end into the store, in chunks; nothing of the job is kept if that fails.
     *
     * @throws ImageNotAllowedException if a step's image is not allowed, before anything is written or read
     * @throws QueueFullException if too many jobs wait
     * @throws IOException if the input cannot be read
     */
    public Job submit(JobRequest request, InputStream input) throws IOException {
        String id = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        Job described = new Job(id, request.name(), request.environment(), request.steps(), request.timeout(),
                request.ttl(), null, request.callback());
        List<Step> steps = request.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (!allowedImages.permits(steps.get(i).source())) {
                throw new ImageNotAllowedException(described.describeStep(i), steps.get(i).source());
            }
        }
        if (input == null) {
            enqueue(described);
            return described;
        }
        boolean queued = false;
        try {
            long bytes = storeInput(id, input);
            Job job = new Job(id, request.name(), request.environment(), steps, request.timeout(), request.ttl(),
                    bytes == 0 ? null : bytes, request.callback());
            enqueue(job);
            queued = true;
            return job;
        } finally {
            if (!queued) {
                forgetInput(id);
            }
        }
    }

    /**
     * Deletes what is stored of the input of a job that will not run: one never queued (what an outage keeps expires on
     * its own), or cancelled while it waited (kept until the job is deleted).
     */
    private void forgetInput(String id) {
        try {
            stores.inputs().discard(id);
        } catch (RuntimeException e) {
            LOG.warn("the input of job {} stays in the store for now: {}", id, e.toString());
        }
    }

    /** Copies the input into the store in chunks, so that its size costs no heap; returns how many bytes it had. */
    private long storeInput(String id, InputStream input) throws IOException {
        byte[] chunk = new byte[INPUT_CHUNK_BYTES];
        long total = 0;
        while (true) {
            int length = input.readNBytes(chunk, 0, chunk.length);
            if (length > 0) {
                stores.inputs().append(id, chunk, length);
                total += length;
            }
            if (length < chunk.length) {
                return total;
            }
        }
    }

    private void enqueue(Job job) {
        if (!stores.queue().enqueue(job, JobState.queued(job, clock.instant()), settings.maxQueuedJobs())) {
            throw new QueueFullException(settings.maxQueuedJobs());
        }
        submitted.mark();
    }

    public JobState state(String id) {
        JobState finished = finishedStates.getIfPresent(id);
        if (finished != null) {
            return finished;
        }
        JobState state = stores.jobs().find(id).orElseThrow(() -> new JobNotFoundException(id));
        if (state.status().isFinal()) {
            finishedStates.put(id, state);
        }
        return state;
    }

    /** The job as submitted, as a reader may see it: every secret value masked. */
    public Job definition(String id) {
        return stores.jobs().definition(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * The job's state as soon as it is final, or its state after {@code wait}, whichever comes first. A job that ends on
     * this instance answers at once; one that ends elsewhere within {@link CompletionWaiters#CHECK_INTERVAL}.
     * Completes exceptionally with {@link JobNotFoundException} if the job is gone (a delete cancels it first: its
     * waiters mostly see it cancelled), with {@link StoreUnavailableException} if Redis is.
     */
    public CompletableFuture<JobState> stateWhenFinal(String id, Duration wait) {
        return waiters.await(id, state(id), wait);
    }

    /** Looks at up to {@code maxScanned} jobs in the query's order, and keeps those it asks for. */
    public JobListPage jobs(JobQuery query, int maxScanned) {
        return stores.jobs().list(query, maxScanned);
    }

    /**
     * A page of the job's log: reads on from {@code fromIndex} through at most {@code maxLines} lines, keeping those
     * the filter keeps.
     *
     * @throws JobNotFoundException if there is no such job
     */
    public LogPage log(String id, long fromIndex, int maxLines, LogFilter filter) {
        return stores.logs().read(id, fromIndex, maxLines, filter).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * Ends a queued or running job as cancelled; whichever instance runs it stops its step in whatever phase it is
     * (SIGTERM, then SIGKILL after the stop grace, for a started container) and begins no further step.
     *
     * @throws JobFinishedException if the job had already ended
     */
    public JobState cancel(String id, String reason) {
        while (true) {
            JobState current = stores.jobs().find(id).orElseThrow(() -> new JobNotFoundException(id));
            if (current.status().isFinal()) {
                throw new JobFinishedException(current);
            }
            Optional<JobState> cancelled = stores.jobs().save(current, current.cancelled(reason, clock.instant()), null);
            if (cancelled.isPresent()) {
                List<JobRun> local = dispatcher.runsOf(id);
                local.forEach(run -> run.stop(JobRun.StopReason.CLAIM_LOST));
                if (local.isEmpty()) {
                    // Input kept for an interrupted job waiting in the queue; a run cleans up after itself.
                    spools.deleteJob(id);
                }
                // Whichever instance runs it: a run that still reads it fails, and its writes are fenced out.
                forgetInput(id);
                waiters.jobLeft(id);
                LOG.info("job {} cancelled: {}", id, reason);
                return cancelled.get();
            }
            // The job changed since it was read (a step moved on, it was claimed): cancel what it is now.
        }
    }

    /** Forgets a job; a job still queued or running is cancelled first. */
    public void delete(String id, String reason) {
        try {
            cancel(id, reason);
        } catch (JobFinishedException e) {
            // Nothing to stop.
        }
        boolean deleted = stores.jobs().delete(id);
        finishedStates.invalidate(id);
        waiters.jobLeft(id);
        if (!deleted) {
            throw new JobNotFoundException(id);
        }
    }
}
