package io.dray.core;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Accepts jobs into the shared queue, claims them one per free worker, and runs each one step after step; answers
 * what is known of jobs; cancels them. Several instances may share one store: each job runs on one of them, and an
 * instance that dies has its jobs taken over once its lease expires. Knows neither HTTP nor Redis nor Docker.
 */
public final class JobEngine implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(1);
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(200);
    private static final int FINISHED_STATES_CACHED = 10_000;
    /** How soon a waiting request learns that a job it does not run here (queued, or on another instance) ended. */
    private static final Duration WAIT_CHECK = Duration.ofMillis(250);

    /**
     * @param maxQueuedJobs how many jobs may wait in the queue before new ones are refused
     * @param logFlushInterval the longest a log line waits in memory before it is written
     * @param leaseTime how long an instance that stopped renewing its lease keeps its jobs
     * @param shutdownGrace how long a stopping instance lets running steps finish before it hands their jobs back
     * @param defaultStepTimeout a step's timeout when it sets none; null for none
     * @param maxBufferedLogLines log lines a job may hold in memory while the store is down
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
            Duration finishedJobCacheTime) {}

    private final JobStore store;
    private final StepRunner runner;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker;
    private final SpoolDirectory spools;
    private final Clock clock;
    private final Settings settings;
    private final ImageAllowList allowedImages;
    private final String instance = UUID.randomUUID().toString();
    private final Semaphore freeWorkers;
    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
    /**
     * Finished jobs' states, which never change again: clients poll a job long after it ended. The one change a
     * finished job can still see is its deletion, which this instance forgets at once; a deletion through another
     * instance shows here after the cache time at most.
     */
    private final Cache<String, JobState> finishedStates;
    /** Requests waiting for a job to end, by job id: woken when it ends here, else by {@link #checkWaiters()}. */
    private final Map<String, Set<CompletableFuture<JobState>>> waiters = new ConcurrentHashMap<>();
    private final AtomicLong queueLength = new AtomicLong();
    private final Meter submitted;
    private final Meter completed;
    private final Meter failed;
    private final Timer stepDurations;
    private volatile boolean accepting;
    private volatile boolean retired;
    private Instant nextLeftoverSweep = Instant.MIN;
    private Thread dispatcher;

    public JobEngine(
            JobStore store,
            StepRunner runner,
            ExecutorService workers,
            ScheduledExecutorService ticker,
            SpoolDirectory spools,
            Clock clock,
            Settings settings,
            ImageAllowList allowedImages,
            MetricRegistry metrics) {
        this.store = store;
        this.runner = runner;
        this.workers = workers;
        this.ticker = ticker;
        this.spools = spools;
        this.clock = clock;
        this.settings = settings;
        this.allowedImages = allowedImages;
        this.freeWorkers = new Semaphore(settings.workers());
        this.finishedStates = Caffeine.newBuilder()
                .expireAfterWrite(settings.finishedJobCacheTime())
                .maximumSize(FINISHED_STATES_CACHED)
                .build();
        this.submitted = metrics.meter("jobs.submitted");
        this.completed = metrics.meter("jobs.completed");
        this.failed = metrics.meter("jobs.failed");
        this.stepDurations = metrics.timer("steps.duration");
        metrics.gauge("jobs.running", () -> runs::size);
        metrics.gauge("jobs.queued", () -> queueLength::get);
    }

    /** This instance's name in the store and on its containers. */
    public String instance() {
        return instance;
    }

    @Override
    public void start() {
        keepAlive();
        runner.removeContainersExceptOf(liveInstancesOrNull());
        accepting = true;
        dispatcher = new Thread(this::dispatch, "job-dispatcher");
        dispatcher.start();
        ticker.scheduleWithFixedDelay(guarded(this::flushLogs), 0, settings.logFlushInterval().toMillis(), TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(guarded(this::watchDeadlines), 0, WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(guarded(this::checkWaiters), 0, WAIT_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        // Also how soon an instance notices that a job it runs was cancelled or deleted through another instance.
        long leaseTick = Math.max(100, Math.min(1000, settings.leaseTime().toMillis() / 3));
        ticker.scheduleWithFixedDelay(guarded(this::keepAlive), leaseTick, leaseTick, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops taking jobs, lets running steps finish for up to the shutdown grace, then stops the rest and hands their
     * jobs back to the queue, where another instance (or this one, restarted) resumes them.
     */
    @Override
    public void stop() throws InterruptedException {
        accepting = false;
        if (dispatcher != null) {
            dispatcher.interrupt();
            dispatcher.join(CLAIM_WAIT.toMillis() * 5);
        }
        Instant deadline = clock.instant().plus(settings.shutdownGrace());
        while (!runs.isEmpty() && clock.instant().isBefore(deadline)) {
            Thread.sleep(100);
        }
        runs.values().forEach(run -> run.stop(JobRun.StopReason.SHUTDOWN));
        Instant handedBack = clock.instant().plus(Duration.ofSeconds(30));
        while (!runs.isEmpty() && clock.instant().isBefore(handedBack)) {
            Thread.sleep(100);
        }
        retired = true;
        // Whoever still waits gets the state as it is now, rather than a connection closed on them.
        waiters.keySet().forEach(this::answerWaiters);
        try {
            store.retire(instance);
        } catch (StoreUnavailableException e) {
            LOG.warn("cannot retire instance {}: its lease will expire instead", instance);
        }
    }

    /**
     * Persists a new job at the back of the queue; returns at once.
     *
     * @throws ImageNotAllowedException if a step's image is not allowed, before anything is written
     */
    public Job submit(String name, List<EnvVar> environment, List<Step> steps, Duration timeout) {
        Job job = new Job(UUID.randomUUID().toString().toUpperCase(Locale.ROOT), name, environment, steps, timeout);
        for (int i = 0; i < steps.size(); i++) {
            if (!allowedImages.permits(steps.get(i).source())) {
                throw new ImageNotAllowedException(job.describeStep(i), steps.get(i).source());
            }
        }
        if (!store.enqueue(job, JobState.queued(job.id(), clock.instant()), settings.maxQueuedJobs())) {
            throw new QueueFullException(settings.maxQueuedJobs());
        }
        submitted.mark();
        return job;
    }

    public JobState state(String id) {
        JobState finished = finishedStates.getIfPresent(id);
        if (finished != null) {
            return finished;
        }
        JobState state = store.findState(id).orElseThrow(() -> new JobNotFoundException(id));
        if (state.status().isFinal()) {
            finishedStates.put(id, state);
        }
        return state;
    }

    /**
     * The job's state as soon as it is final, or its state after {@code wait}, whichever comes first. A job that ends on
     * this instance answers at once; one that ends elsewhere within {@link #WAIT_CHECK}. Completes exceptionally with
     * {@link JobNotFoundException} if the job is gone (a delete cancels it first: its waiters mostly see it
     * cancelled), with {@link StoreUnavailableException} if Redis is.
     */
    public CompletableFuture<JobState> stateWhenFinal(String id, Duration wait) {
        JobState now = state(id);
        if (now.status().isFinal()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<JobState> ended = new CompletableFuture<>();
        // compute, not computeIfAbsent and add: atomic with answerWaiters' remove, so no waiter is left out of both.
        waiters.compute(id, (key, waiting) -> {
            Set<CompletableFuture<JobState>> set = waiting != null ? waiting : ConcurrentHashMap.newKeySet();
            set.add(ended);
            return set;
        });
        var timeUp = ticker.schedule(() -> answer(ended, id), wait.toMillis(), TimeUnit.MILLISECONDS);
        ended.whenComplete((state, error) -> {
            timeUp.cancel(false);
            waiters.computeIfPresent(id, (key, waiting) -> {
                waiting.remove(ended);
                return waiting.isEmpty() ? null : waiting;
            });
        });
        return ended;
    }

    /** Wakes the requests waiting for jobs that this instance does not run, once those jobs have ended. */
    private void checkWaiters() {
        List<String> notRunHere = waiters.keySet().stream().filter(id -> !runs.containsKey(id)).toList();
        if (!notRunHere.isEmpty()) {
            answerWaitersIfEnded(notRunHere);
        }
    }

    private void answerWaitersIfEnded(List<String> ids) {
        try {
            store.endedJobs(ids).forEach(this::answerWaiters);
        } catch (StoreUnavailableException e) {
            // Asked again on the next check.
        }
    }

    /** Answers every request waiting for the job with its state now. */
    private void answerWaiters(String id) {
        Set<CompletableFuture<JobState>> waiting = waiters.remove(id);
        if (waiting != null) {
            waiting.forEach(ended -> answer(ended, id));
        }
    }

    private void answer(CompletableFuture<JobState> ended, String id) {
        try {
            ended.complete(state(id));
        } catch (RuntimeException e) {
            ended.completeExceptionally(e);
        }
    }

    public List<String> jobIds() {
        return store.listIds();
    }

    /** At most {@code maxLines} lines of the job's log, from {@code fromIndex} on. */
    public List<String> log(String id, long fromIndex, int maxLines) {
        return store.readLog(id, fromIndex, maxLines).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * Ends a queued or running job as cancelled; the instance running it stops its container (SIGTERM, then SIGKILL
     * after the stop grace) and starts no further step.
     *
     * @throws JobFinishedException if the job had already ended
     */
    public JobState cancel(String id, String reason) {
        while (true) {
            JobState current = state(id);
            if (current.status().isFinal()) {
                throw new JobFinishedException(current);
            }
            JobState cancelled = current.cancelled(reason, clock.instant());
            if (store.transition(current.status(), cancelled)) {
                JobRun local = runs.get(id);
                if (local != null) {
                    local.stop(JobRun.StopReason.CLAIM_LOST);
                }
                spools.deleteJob(id);
                wakeWaiters(id);
                LOG.info("job {} cancelled: {}", id, reason);
                return cancelled;
            }
        }
    }

    /** Forgets a job; a job still queued or running is cancelled first. */
    public void delete(String id, String reason) {
        try {
            cancel(id, reason);
        } catch (JobFinishedException e) {
            // Nothing to stop.
        }
        boolean deleted = store.delete(id);
        finishedStates.invalidate(id);
        wakeWaiters(id);
        if (!deleted) {
            throw new JobNotFoundException(id);
        }
    }

    /** Claims a job whenever a worker is free. */
    private void dispatch() {
        while (accepting) {
            try {
                freeWorkers.acquire();
            } catch (InterruptedException e) {
                return;
            }
            boolean handedOver = false;
            try {
                Optional<Claim> claim = store.claimNext(instance, CLAIM_WAIT);
                if (claim.isPresent() && accepting) {
                    workers.execute(() -> runJob(claim.get()));
                    handedOver = true;
                } else if (claim.isPresent()) {
                    store.requeue(claim.get());
                }
            } catch (StoreUnavailableException e) {
                LOG.warn("cannot claim jobs: {}", e.getMessage());
                sleepQuietly(CLAIM_WAIT);
            } catch (RuntimeException e) {
                LOG.error("cannot claim jobs", e);
                sleepQuietly(CLAIM_WAIT);
            } finally {
                if (!handedOver) {
                    freeWorkers.release();
                }
            }
        }
    }

    /** Runs on a worker thread: never throws, whatever happens to the job. */
    private void runJob(Claim claim) {
        String id = claim.jobId();
        MDC.put("job", id);
        JobLog log = new JobLog(id, lines -> store.appendLog(claim, lines), claim.job().secretValues(),
                settings.logBatchLines(), settings.logBatchBytes(), settings.maxBufferedLogLines());
        JobRun run = new JobRun(claim, store, runner, spools, clock, log, settings.defaultStepTimeout(), stepDurations);
        runs.put(id, run);
        try {
            JobStatus end = run.execute();
            if (end == JobStatus.COMPLETE) {
                completed.mark();
            } else if (end == JobStatus.ERROR) {
                failed.mark();
            }
            if (end != null || jobEnded(id)) {
                spools.deleteJob(id);
            }
        } catch (RuntimeException e) {
            LOG.error("job {} stopped by an unexpected error", id, e);
            try {
                run.fail("internal error: " + e);
            } catch (RuntimeException again) {
                LOG.error("cannot record that job {} failed", id, again);
            }
        } finally {
            runs.remove(id);
            freeWorkers.release();
            MDC.remove("job");
            wakeWaiters(id);
        }
    }

    private boolean jobEnded(String id) {
        try {
            return store.endedJobs(List.of(id)).contains(id);
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    private void flushLogs() {
        for (JobRun run : runs.values()) {
            try {
                run.log().flush();
            } catch (StoreUnavailableException e) {
                LOG.debug("log lines of job {} wait for the store", run.claim().jobId());
            }
        }
    }

    private void watchDeadlines() {
        Instant now = clock.instant();
        runs.values().forEach(run -> run.checkDeadlines(now));
    }

    /** Renews this instance's lease, stops runs whose claim was lost, and takes over the jobs of dead instances. */
    private void keepAlive() {
        if (retired) {
            return;
        }
        runner.retryCleanUp();
        try {
            store.heartbeat(instance, settings.leaseTime());
            queueLength.set(store.queueLength());
            if (!runs.isEmpty()) {
                Set<String> lost = store.lostClaims(runs.values().stream().map(JobRun::claim).toList());
                lost.forEach(id -> {
                    JobRun run = runs.get(id);
                    if (run != null) {
                        run.stop(JobRun.StopReason.CLAIM_LOST);
                    }
                });
            }
            for (String dead : store.deadInstances()) {
                if (!dead.equals(instance)) {
                    runner.removeContainersOf(dead);
                    List<String> requeued = store.requeueJobsOf(dead);
                    if (!requeued.isEmpty()) {
                        LOG.warn("instance {} stopped renewing its lease; its jobs {} are queued again", dead, requeued);
                    }
                }
            }
            // Another instance may have taken over a dead one's jobs first, on another Docker engine: every instance
            // also sweeps its own engine for containers of instances that are no longer alive.
            Instant now = clock.instant();
            if (now.isAfter(nextLeftoverSweep)) {
                nextLeftoverSweep = now.plus(settings.leaseTime());
                runner.removeContainersExceptOf(liveInstancesOrNull());
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("cannot renew the lease of instance {}: {}", instance, e.getMessage());
        }
    }

    private Set<String> liveInstancesOrNull() {
        try {
            Set<String> live = new java.util.HashSet<>(store.liveInstances());
            live.add(instance);
            return live;
        } catch (StoreUnavailableException e) {
            return null;
        }
    }

    /**
     * For a job that may just have ended here (or only left this instance, on shutdown). Off the caller's thread: a
     * worker that just ended a job, or a request, need not wait for the answers.
     */
    private void wakeWaiters(String id) {
        if (waiters.containsKey(id)) {
            ticker.execute(guarded(() -> answerWaitersIfEnded(List.of(id))));
        }
    }

    /** A scheduled task must not throw: the executor would silently never run it again. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("periodic task failed", e);
            }
        };
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
