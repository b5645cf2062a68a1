package io.dray.core;

import com.codahale.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Claims a job from the queue whenever a worker is free, and runs it on that worker. Knows the jobs that run here.
 * Claiming is its own loop on its own thread, so that nothing else (a slow Docker engine, a sweep) can hold it up.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How long one claim waits for a job; also how often the loop turns while every worker is busy. */
    static final Duration CLAIM_WAIT = Duration.ofSeconds(1);

    /** How the runs' logs are batched. */
    record LogSettings(int batchLines, int batchBytes, int maxBufferedLines) {}

    private final String instance;
    private final JobQueue queue;
    private final JobRun.Context context;
    private final LogSettings logSettings;
    private final ExecutorService loop;
    private final ExecutorService workers;
    private final Semaphore freeWorkers;
    private final Clock clock;
    private final Meter completed;
    private final Meter failed;
    private final Consumer<String> jobLeft;
    /**
     * The runs on this instance, by job id and epoch: a job whose claim was lost may be claimed here again while its
     * old run still stops.
     */
    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
    private final CountDownLatch loopEnded = new CountDownLatch(1);
    private volatile boolean claiming;
    private volatile Instant lastTurn;
    private Future<?> loopTask;
    /**
     * Whether this instance may hold claims it does not run: a claim whose answer was lost (the connection broke after
     * Redis ran it) is known to the store only, and a run that could not record its end leaves its claim behind.
     * Checked at start-up, after every failed claim, and after such a run.
     */
    private volatile boolean mayHoldUnknownClaims = true;

    /**
     * @param loop runs the claiming loop, one thread
     * @param workers as many threads as jobs may run here at once
     * @param jobLeft told of every job that stops running here, ended or not
     */
    Dispatcher(String instance, JobQueue queue, JobRun.Context context, LogSettings logSettings, ExecutorService loop,
            ExecutorService workers, int workerCount, Clock clock, Meter completed, Meter failed,
            Consumer<String> jobLeft) {
        this.instance = instance;
        this.queue = queue;
        this.context = context;
        this.logSettings = logSettings;
        this.loop = loop;
        this.workers = workers;
        this.freeWorkers = new Semaphore(workerCount);
        this.clock = clock;
        this.completed = completed;
        this.failed = failed;
        this.jobLeft = jobLeft;
    }

    void start() {
        claiming = true;
        lastTurn = clock.instant();
        loopTask = loop.submit(this::claimWhileAccepting);
    }

    /** Stops claiming; returns once the loop has ended (a claim under way is handed back). */
    void stopClaiming() throws InterruptedException {
        claiming = false;
        if (loopTask != null) {
            loopTask.cancel(true);
            loopEnded.await(CLAIM_WAIT.toMillis() * 5, TimeUnit.MILLISECONDS);
        }
    }

    Collection<JobRun> runs() {
        return runs.values();
    }

    List<JobRun> runsOf(String jobId) {
        return runs.values().stream().filter(run -> run.claim().jobId().equals(jobId)).toList();
    }

    boolean runsHere(String jobId) {
        return runs.values().stream().anyMatch(run -> run.claim().jobId().equals(jobId));
    }

    private static String key(Claim claim) {
        return claim.jobId() + "#" + claim.epoch();
    }

    /** When the claiming loop last went round: it does at least every {@link #CLAIM_WAIT} while it claims. */
    Instant lastTurn() {
        return lastTurn;
    }

    boolean isClaiming() {
        return claiming && loopEnded.getCount() > 0;
    }

    private void claimWhileAccepting() {
        try {
            while (claiming) {
                lastTurn = clock.instant();
                try {
                    if (freeWorkers.tryAcquire(CLAIM_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                        claimOne();
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            loopEnded.countDown();
        }
    }

    /** Holds one free worker: hands it to a claimed job, or gives it back. */
    private void claimOne() throws InterruptedException {
        boolean handedOver = false;
        try {
            if (!context.leaseHeld().getAsBoolean()) {
                // Whatever it claimed now, another instance may take over with the jobs this one held.
                Thread.sleep(CLAIM_WAIT.toMillis());
                return;
            }
            if (mayHoldUnknownClaims) {
                requeueClaimsNotRunHere();
            }
            Optional<Claim> claim = queue.claimNext(instance, CLAIM_WAIT);
            if (claim.isPresent() && claiming) {
                JobRun run = new JobRun(claim.get(), context, newLog(claim.get()));
                // Known before the worker starts, so that no check finds a claim of this instance's that it does not
                // know it runs.
                runs.put(key(claim.get()), run);
                try {
                    workers.execute(() -> runOnWorker(run));
                } catch (RejectedExecutionException e) {
                    runs.remove(key(claim.get()));
                    throw e;
                }
                handedOver = true;
            } else if (claim.isPresent()) {
                queue.requeue(claim.get(), claim.get().state(), claim.get().state().requeued());
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("cannot claim jobs: {}", e.getMessage());
            mayHoldUnknownClaims = true;
            Thread.sleep(CLAIM_WAIT.toMillis());
        } catch (RuntimeException e) {
            LOG.error("cannot claim jobs", e);
            mayHoldUnknownClaims = true;
            Thread.sleep(CLAIM_WAIT.toMillis());
        } finally {
            if (!handedOver) {
                freeWorkers.release();
            }
        }
    }

    /** On this thread, the only one that claims: no claim is under way while it looks. */
    private void requeueClaimsNotRunHere() {
        List<String> requeued = queue.requeueJobsOf(instance, id -> !runsHere(id));
        if (!requeued.isEmpty()) {
            LOG.warn("jobs {} were claimed by this instance without its knowing; they are queued again", requeued);
        }
        mayHoldUnknownClaims = false;
    }

    private JobLog newLog(Claim claim) {
        return new JobLog(claim.jobId(), (lines, streams) -> context.stores().logs().append(claim, lines, streams),
                claim.job().secretValues(), logSettings.batchLines(), logSettings.batchBytes(),
                logSettings.maxBufferedLines());
    }

    /** Whether the job left this instance because it ended (cancelled, deleted), rather than to run elsewhere. */
    private boolean endedElsewhere(String id) {
        try {
            return context.stores().jobs().endedJobs(List.of(id)).contains(id);
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    /** Never throws, whatever happens to the job. */
    private void runOnWorker(JobRun run) {
        String id = run.claim().jobId();
        MDC.put("job", id);
        try (LoggedSecrets.Hold held = LoggedSecrets.hold(run.claim().job().secretValues())) {
            JobStatus end = run.execute();
            if (end == JobStatus.COMPLETE) {
                completed.mark();
            } else if (end == JobStatus.ERROR) {
                failed.mark();
            }
            if (end != null || endedElsewhere(id)) {
                context.spools().deleteJob(id);
            }
        } catch (RuntimeException e) {
            // Even recording the failure failed: the claim is handed back to the queue on the next claim.
            LOG.error("cannot record the end of job {}", id, e);
            mayHoldUnknownClaims = true;
        } finally {
            runs.remove(key(run.claim()));
            freeWorkers.release();
            MDC.remove("job");
            jobLeft.accept(id);
        }
    }
}
