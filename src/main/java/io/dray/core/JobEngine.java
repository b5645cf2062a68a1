package io.dray.core;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Accepts jobs and runs each one, step after step, on a bounded pool of workers; answers what is known of them. Knows
 * neither HTTP nor Redis nor Docker: it works through a {@link JobStore} and a {@link StepRunner}.
 */
public final class JobEngine implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);

    private final JobStore store;
    private final StepRunner runner;
    private final ExecutorService workers;
    private final ScheduledExecutorService logFlusher;
    private final SpoolDirectory spools;
    private final Clock clock;
    private final Settings settings;
    private final Semaphore admissions;
    private final Set<JobLog> activeLogs = ConcurrentHashMap.newKeySet();
    private final AtomicInteger runningJobs = new AtomicInteger();
    private final Meter submitted;
    private final Meter completed;
    private final Meter failed;
    private final Timer stepDurations;

    /**
     * @param maxWaitingJobs how many accepted jobs may wait for a worker before new ones are refused
     * @param logFlushInterval the longest a log line waits in memory before it is written
     */
    public record Settings(int workers, int maxWaitingJobs, Duration logFlushInterval, int logBatchLines, int logBatchBytes) {}

    public JobEngine(
            JobStore store,
            StepRunner runner,
            ExecutorService workers,
            ScheduledExecutorService logFlusher,
            SpoolDirectory spools,
            Clock clock,
            Settings settings,
            MetricRegistry metrics) {
        this.store = store;
        this.runner = runner;
        this.workers = workers;
        this.logFlusher = logFlusher;
        this.spools = spools;
        this.clock = clock;
        this.settings = settings;
        this.admissions = new Semaphore(settings.workers() + settings.maxWaitingJobs());
        this.submitted = metrics.meter("jobs.submitted");
        this.completed = metrics.meter("jobs.completed");
        this.failed = metrics.meter("jobs.failed");
        this.stepDurations = metrics.timer("steps.duration");
        metrics.gauge("jobs.running", () -> runningJobs::get);
        metrics.gauge("jobs.queued", () -> () -> settings.workers() + settings.maxWaitingJobs()
                - admissions.availablePermits() - runningJobs.get());
    }

    @Override
    public void start() {
        long period = settings.logFlushInterval().toMillis();
        logFlusher.scheduleWithFixedDelay(this::flushLogs, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        flushLogs();
    }

    /** Persists a new job as queued and hands it to a worker; returns at once. */
    public Job submit(String name, List<EnvVar> environment, List<Step> steps) {
        if (!admissions.tryAcquire()) {
            throw new QueueFullException(settings.maxWaitingJobs());
        }
        try {
            Job job = new Job(UUID.randomUUID().toString().toUpperCase(Locale.ROOT), name, environment, steps);
            JobState state = JobState.queued(job.id(), clock.instant());
            store.create(job, state);
            submitted.mark();
            workers.execute(() -> runJob(job, state));
            return job;
        } catch (RuntimeException e) {
            admissions.release();
            throw e;
        }
    }

    public JobState state(String id) {
        return store.findState(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    public List<String> jobIds() {
        return store.listIds();
    }

    public List<String> log(String id, long fromIndex) {
        return store.readLog(id, fromIndex).orElseThrow(() -> new JobNotFoundException(id));
    }

    /** Forgets a job. A job still running stops before its next step, and writes nothing more. */
    public void delete(String id) {
        if (!store.delete(id)) {
            throw new JobNotFoundException(id);
        }
    }

    /** Runs on a worker thread: never throws, whatever happens to the job. */
    private void runJob(Job job, JobState queued) {
        MDC.put("job", job.id());
        runningJobs.incrementAndGet();
        JobLog log = new JobLog(job.id(), store, settings.logBatchLines(), settings.logBatchBytes());
        activeLogs.add(log);
        JobRun run = new JobRun(job, queued, log);
        try {
            run.execute();
        } catch (RuntimeException e) {
            LOG.error("job {} stopped by an unexpected error", job.id(), e);
            run.recordFailure("internal error: " + e.getMessage());
        } finally {
            activeLogs.remove(log);
            runningJobs.decrementAndGet();
            admissions.release();
            MDC.remove("job");
        }
    }

    private void flushLogs() {
        for (JobLog log : activeLogs) {
            try {
                log.flush();
            } catch (StoreUnavailableException e) {
                LOG.warn("cannot write log lines yet: {}", e.getMessage());
            }
        }
    }

    /** One job's way through its steps; {@code state} is always what was last saved. */
    private final class JobRun {
        private final Job job;
        private final JobLog log;
        private JobState state;
        private boolean deleted;

        JobRun(Job job, JobState queued, JobLog log) {
            this.job = job;
            this.state = queued;
            this.log = log;
        }

        void execute() {
            if (!save(state.started(clock.instant()))) {
                return;
            }
            StepData input = null;
            try {
                for (int i = 0; i < job.steps().size() && !deleted; i++) {
                    input = runStep(i, input);
                }
                if (!deleted) {
                    save(state.completed(clock.instant()));
                    completed.mark();
                }
            } catch (StepFailedException e) {
                fail(e.getMessage());
            } catch (IOException | UncheckedIOException e) {
                fail("cannot pass data between steps: " + e.getMessage());
            } finally {
                release(input);
            }
        }

        /** Runs step i on the previous step's data; returns the data for the next step. */
        private StepData runStep(int i, StepData input) throws StepFailedException, IOException {
            Step step = job.steps().get(i);
            boolean last = i == job.steps().size() - 1;
            StepOutcome outcome;
            try (Timer.Context ignored = stepDurations.time()) {
                outcome = runner.run(new StepRun(job.id(), i, step, job.environmentOf(i), input, !last, log));
            } catch (StepFailedException e) {
                throw new StepFailedException(job.describeStep(i) + " could not run: " + e.getMessage(), e);
            } finally {
                release(input);
                log.flush();
            }
            if (log.jobDeleted()) {
                deleted = true;
            } else if (!outcome.succeeded()) {
                release(outcome.output());
                throw new StepFailedException(job.describeStep(i) + " exited with code " + outcome.exitCode());
            } else if (save(state.stepSucceeded()) && !last) {
                return passedOn(step, outcome.output());
            }
            release(outcome.output());
            return null;
        }

        private StepData passedOn(Step step, StepData output) throws IOException {
            if (!step.passesOnlyDelimitedLines()) {
                return output;
            }
            try (output) {
                return DelimitedLines.select(output, step.beginDelimiter(), step.endDelimiter(), spools);
            }
        }

        void recordFailure(String reason) {
            try {
                if (!state.status().isFinal()) {
                    fail(reason);
                }
            } catch (RuntimeException e) {
                LOG.error("cannot record that job {} failed", job.id(), e);
            }
        }

        private void fail(String reason) {
            LOG.info("job {} failed: {}", job.id(), reason);
            save(state.failed(reason, clock.instant()));
            failed.mark();
        }

        /** Saves a new state; a job deleted meanwhile is not written again and stops here. */
        private boolean save(JobState next) {
            if (deleted || !store.saveState(next)) {
                deleted = true;
                return false;
            }
            state = next;
            return true;
        }

        private void release(StepData data) {
            if (data != null) {
                data.close();
            }
        }
    }
}
