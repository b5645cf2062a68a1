package io.dray.core;

import com.codahale.metrics.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One claimed job's way through its steps, on one worker thread. It resumes where the job stands (an interrupted job
 * begins again at the step that was running, on the input kept for it), and can be stopped from outside: by a
 * cancel, a timeout, the engine shutting down, or the claim being lost. Every change of the job's state is a
 * transition of {@link JobState} saved through the claim over the state it was computed from, so a run that lost its
 * job writes nothing, and no two writers undo each other.
 */
final class JobRun {
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
    private static final Duration STORE_RETRY = Duration.ofSeconds(1);
    /** How long a stop waits to record {@code stopping} while the job's thread saves something else. */
    private static final Duration STOPPING_RECORD_WAIT = Duration.ofMillis(100);

    /** Why a run was stopped from outside; the first reason given wins. */
    enum StopReason {
        /** Cancelled, deleted or taken over: whoever did it wrote the job's end, this run writes nothing more. */
        CLAIM_LOST,
        SHUTDOWN,
        STEP_TIMEOUT,
        JOB_TIMEOUT,
        LOG_OVERFLOW
    }

    /**
     * What a run needs besides its claim: the same for every run of an engine.
     *
     * @param retryDelay the wait before a step's first retry when it sets none
     * @param maxRetryDelay the longest wait before a retry, however often the wait doubled
     * @param leaseHeld whether this instance's lease may still be current (see {@link LeaseKeeper#leaseHeld})
     */
    record Context(Stores stores, StepRunner runner, SpoolDirectory spools, Clock clock, Duration defaultStepTimeout,
            Duration retryDelay, Duration maxRetryDelay, Timer stepDurations, Executor stops, BooleanSupplier leaseHeld) {}

    /** How one attempt of a step ended: its outcome if it ran to its end, and why it failed, null if it exited 0. */
    private record AttemptEnd(StepOutcome outcome, String failure) {}

    private final Claim claim;
    private final Job job;
    private final Context context;
    private final JobLog log;
    /** Held while a state is computed and saved, so the run's own writes (its thread's, a stop's) never race. */
    private final ReentrantLock saving = new ReentrantLock();
    private JobState state;
    private final AtomicReference<StopReason> stopReason = new AtomicReference<>();
    /** Opened by the first stop: wakes a run that waits before a retry. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile StepLifecycle lifecycle;
    private volatile Instant stepDeadline;
    private volatile Duration stepTimeout;
    private volatile Instant jobDeadline;
    private volatile int currentStep;
    private volatile StepResult lastResult = StepResult.NONE;

    JobRun(Claim claim, Context context, JobLog log) {
        this.claim = claim;
        this.job = claim.job();
        this.state = claim.state();
        this.context = context;
        this.log = log;
    }

    Claim claim() {
        return claim;
    }

    JobLog log() {
        return log;
    }

    /** Stops the run: the current step is stopped in whatever phase it is, no further step begins. */
    void stop(StopReason reason) {
        if (!stopReason.compareAndSet(null, reason)) {
            return;
        }
        LOG.info("job {}: stopping ({})", job.id(), reason);
        stopped.countDown();
        StepLifecycle current = lifecycle;
        if (current != null) {
            current.stop();
        }
    }

    /** Called periodically: stops the run when its step or the whole job has run past its time. */
    void checkDeadlines(Instant now) {
        if (jobDeadline != null && now.isAfter(jobDeadline)) {
            stop(StopReason.JOB_TIMEOUT);
        } else if (stepDeadline != null && now.isAfter(stepDeadline)) {
            stop(StopReason.STEP_TIMEOUT);
        } else if (log.overflowed()) {
            stop(StopReason.LOG_OVERFLOW);
        }
    }

    /** Returns the final status the job reached here, or null if the job left this instance unfinished. */
    JobStatus execute() {
        JobStatus end = executeSteps();
        if (end != null && job.inputBytes() != null) {
            forgetJobInput(); // an ended job's input is never read again, whether its first step succeeded or not
        }
        return end;
    }

    private JobStatus executeSteps() {
        int first = state.stepsCompleted();
        StepData input = null;
        try {
            if (first > 0 && first < job.steps().size()) {
                input = resumedInput(first);
                if (input == null) {
                    return failStep(first, "interrupted: the input of " + job.describeStep(first)
                            + " was lost with the instance that ran it");
                }
            } else if (first == 0 && job.inputBytes() != null) {
                input = jobInput();
                if (input == null) {
                    return failStep(0, "the job's input is gone from the store: " + job.describeStep(0) + " cannot read it");
                }
            }
            // The job's own input is read again from the store by whoever resumes the job: no local path to remember.
            String firstInput = input == null || first == 0 ? null : input.file().toString();
            if (!save(s -> s.started(now()), (current, next) -> saveWithResumePoint(current, next, first, firstInput))) {
                return ended();
            }
            if (job.timeout() != null) {
                jobDeadline = now().plus(job.timeout());
            }
            for (int i = first; i < job.steps().size(); i++) {
                StepData current = input;
                input = null;
                StepData next = runStep(i, current);
                if (stopReason.get() != null || savedState().status().isFinal()) {
                    context.spools().release(next);
                    return ended();
                }
                input = next;
            }
            // Only a job that was taken over after its last step succeeded gets here: it had nothing left to run.
            return save(s -> s.completed(now())) ? JobStatus.COMPLETE : ended();
        } catch (IOException | UncheckedIOException e) {
            return failCurrentStep("cannot pass data between steps: " + e.getMessage());
        } catch (StoreDataException e) {
            LOG.error("job {}: the store refused a change: {}", job.id(), e.getMessage());
            return failCurrentStep("the job store refused a change: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("job {} stopped by an unexpected error", job.id(), e);
            return failCurrentStep("internal error: " + e);
        } finally {
            context.spools().release(input);
        }
    }

    private StepData resumedInput(int step) {
        if (claim.resumeInput() == null || !Files.isRegularFile(Path.of(claim.resumeInput()))) {
            return null;
        }
        LOG.info("job {}: resuming at {} on its kept input", job.id(), job.describeStep(step));
        return StepData.ownedFile(Path.of(claim.resumeInput()));
    }

    /** The job's input, copied from the store to where the first step's input is kept; null if the store lost it. */
    private StepData jobInput() throws IOException {
        Path file = context.spools().stepInput(job.id(), 0);
        Boolean copied = withStore(() -> {
            try {
                return context.stores().inputs().copyTo(job.id(), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!Boolean.TRUE.equals(copied)) {
            Files.deleteIfExists(file);
            return null;
        }
        return StepData.ownedFile(file);
    }

    /**
     * Runs step i on the previous step's data, again after an attempt that failed while it has retries left, each time
     * on the same input; returns the data for the next step (null after the last, or on an end).
     */
    private StepData runStep(int i, StepData input) throws IOException {
        Step step = job.steps().get(i);
        boolean last = i == job.steps().size() - 1;
        try {
            int attempt = savedState().step(i).attempt() + 1;
            StepOutcome outcome;
            while (true) {
                if (stopReason.get() != null) {
                    return null;
                }
                AttemptEnd end = runAttempt(i, step, attempt, input, last);
                outcome = end.outcome();
                if (stopReason.get() != null || end.failure() != null) {
                    context.spools().release(outcome == null ? null : outcome.output());
                }
                if (stopReason.get() != null) {
                    return null;
                }
                if (end.failure() == null) {
                    break;
                }
                // An attempt cut short by an instance's end counts too: the attempts never exceed retries + 1.
                int counted = attempt;
                if (attempt > step.retries()) {
                    failStep(i, end.failure(), counted);
                    return null;
                }
                Duration delay = retryDelay(step, attempt);
                log.note("[dray] " + end.failure() + " (attempt " + attempt + " of " + (step.retries() + 1)
                        + "); retrying in " + Durations.format(delay));
                flushLog();
                String failure = end.failure();
                if (!save(s -> s.stepRetrying(i, counted, lastResult, failure, now())) || !awaitRetry(delay)) {
                    return null;
                }
                attempt++;
            }
            StepData passed = null;
            if (last) {
                context.spools().release(outcome.output());
            } else {
                passed = keepForNextStep(step, outcome.output(), i + 1);
            }
            long bytesPassed = passed == null ? 0 : Files.size(passed.file());
            String nextInput = passed == null ? null : passed.file().toString();
            Instant at = now();
            StepResult result = outcome.result(bytesPassed);
            // In one write, so that a take-over finds either the step to run again or the job ended, never the log
            // of a step that succeeded cut off: the last step's success with the job's completion, any other's with
            // where the next step's input is kept.
            boolean saved = last
                    ? save(s -> s.stepSucceeded(i, result, at).completed(at))
                    : save(s -> s.stepSucceeded(i, result, at),
                            (current, next) -> saveWithResumePoint(current, next, i + 1, nextInput));
            if (!saved) {
                context.spools().release(passed);
                return null;
            }
            if (i == 0 && job.inputBytes() != null) {
                forgetJobInput();
            }
            return passed;
        } finally {
            // The input is kept on disk until the step that read it has succeeded or the job ended, never longer.
            StopReason reason = stopReason.get();
            if (reason != StopReason.SHUTDOWN && reason != StopReason.CLAIM_LOST) {
                context.spools().release(input);
            }
        }
    }

    /**
     * One attempt of step i, counted from 1: its container, from creation to exit. The caller releases the outcome's
     * output.
     */
    private AttemptEnd runAttempt(int i, Step step, int attempt, StepData input, boolean last) {
        currentStep = i;
        lastResult = StepResult.NONE;
        Duration timeout = step.timeout() != null ? step.timeout() : context.defaultStepTimeout();
        stepTimeout = timeout;
        stepDeadline = timeout == null ? null : now().plus(timeout);
        if (attempt > 1) {
            // The log keeps what every attempt wrote: this says where the next one begins.
            log.note("[dray] " + job.describeStep(i) + ": attempt " + attempt + " begins");
        }
        StepLifecycle lifecycle = new StepLifecycle(new Recorder(i), context.runner(), context.stops());
        this.lifecycle = lifecycle;
        if (stopReason.get() != null) {
            // A stop that came while the previous attempt's lifecycle was still current must reach this one too.
            lifecycle.stop();
        }
        StepOutcome outcome;
        try (Timer.Context ignored = context.stepDurations().time()) {
            outcome = context.runner().run(new StepRun(claim.instance(), claim.epoch(), job.id(), i, attempt, step,
                    job.environmentOf(i, attempt), input, !last, log, lifecycle));
        } catch (StepFailedException e) {
            return new AttemptEnd(null, job.describeStep(i) + " could not run: " + e.getMessage());
        } finally {
            lifecycle.exited();
            stepDeadline = null;
            flushLog();
        }
        lastResult = outcome.result(0);
        if (log.claimLost()) {
            stop(StopReason.CLAIM_LOST);
        }
        if (outcome.succeeded()) {
            return new AttemptEnd(outcome, null);
        }
        return new AttemptEnd(outcome, !outcome.started() ? job.describeStep(i) + " was never started"
                : outcome.outOfMemory() ? job.describeStep(i) + " was killed for using more memory than its limit"
                        + (step.memoryBytes() != null ? " (" + step.memoryBytes() + " bytes)" : "")
                : job.describeStep(i) + " exited with code " + outcome.exitCode());
    }

    /** The wait before the retry that follows attempt {@code attempt}: the step's delay, doubled each time, capped. */
    private Duration retryDelay(Step step, int attempt) {
        return Durations.backoff(step.retryDelay() != null ? step.retryDelay() : context.retryDelay(),
                context.maxRetryDelay(), attempt);
    }

    /** Waits before a retry; false if the run was stopped meanwhile. */
    private boolean awaitRetry(Duration delay) {
        try {
            return !stopped.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The first step succeeded: nobody reads the job's input again. What is not deleted now goes with the job. */
    private void forgetJobInput() {
        try {
            context.stores().inputs().discard(job.id());
        } catch (StoreUnavailableException e) {
            LOG.debug("job {}: its input stays in the store until the job is deleted: {}", job.id(), e.getMessage());
        }
    }

    /** The next step's input, kept at a fixed path so that a take-over finds it. */
    private StepData keepForNextStep(Step step, StepData output, int nextIndex) throws IOException {
        StepData passed = output;
        if (step.passesOnlyDelimitedLines()) {
            try (output) {
                passed = DelimitedLines.select(output, step.beginDelimiter(), step.endDelimiter(), context.spools());
            }
        }
        return passed.moveTo(context.spools().stepInput(job.id(), nextIndex));
    }

    /**
     * How the run ends once it stopped going on: the end it saved itself (a failed step), a final state for a timeout,
     * the job back in the queue on shutdown, or, when the claim was lost, nothing. Null if the job left this instance
     * unfinished.
     */
    private JobStatus ended() {
        JobState saved = savedState();
        if (saved.status().isFinal()) {
            return saved.status();
        }
        StopReason reason = stopReason.get();
        return switch (reason == null ? StopReason.CLAIM_LOST : reason) {
            case STEP_TIMEOUT -> failCurrentStep(job.describeStep(currentStep) + " timed out after " + Durations.format(stepTimeout));
            case JOB_TIMEOUT -> failCurrentStep("job timed out after " + Durations.format(job.timeout()));
            case LOG_OVERFLOW -> failCurrentStep("too many log lines waited for Redis while it was unavailable; the job was stopped");
            case SHUTDOWN -> {
                withStore(() -> context.stores().queue().requeue(claim, saved, saved.requeued()));
                yield null;
            }
            case CLAIM_LOST -> {
                try {
                    context.stores().queue().release(claim);
                } catch (StoreUnavailableException e) {
                    LOG.debug("job {}: the lost claim is forgotten later", job.id());
                }
                yield null;
            }
        };
    }

    private JobStatus failStep(int index, String reason) {
        return failStep(index, reason, 0);
    }

    /** @param attempts the step's attempts, counted here too: one that failed before it was begun counts nowhere else */
    private JobStatus failStep(int index, String reason, int attempts) {
        LOG.info("job {} failed: {}", job.id(), reason);
        return save(s -> s.stepAttempted(index, attempts).stepFailed(index, lastResult, reason, now())) ? JobStatus.ERROR
                : null;
    }

    /**
     * Fails the job; the step that was begun, or waits for its retry, if any, fails with it and keeps what it produced.
     */
    private JobStatus failCurrentStep(String reason) {
        StepRecord current = savedState().step(currentStep);
        if (current.status().isBegun() || current.status() == StepStatus.PENDING && current.attempt() > 0) {
            return failStep(currentStep, reason);
        }
        LOG.info("job {} failed: {}", job.id(), reason);
        return save(s -> s.failed(reason, now())) ? JobStatus.ERROR : null;
    }

    private JobState savedState() {
        saving.lock();
        try {
            return state;
        } finally {
            saving.unlock();
        }
    }

    private boolean save(UnaryOperator<JobState> transition) {
        return save(transition, this::saveOwn);
    }

    /**
     * Saves the transition of the last saved state through the claim, waiting out a store outage; a claim that no
     * longer holds stops the run. A transition that changes nothing saves nothing.
     */
    private boolean save(UnaryOperator<JobState> transition, Saver saver) {
        saving.lock();
        try {
            return saveHolding(transition, (current, next) -> withStore(() -> saver.save(current, next)));
        } finally {
            saving.unlock();
        }
    }

    private boolean saveHolding(UnaryOperator<JobState> transition, Saver saver) {
        if (state.status().isFinal() || stopReason.get() == StopReason.CLAIM_LOST) {
            return false;
        }
        JobState current = state;
        JobState next = transition.apply(current);
        if (next == current) {
            return true;
        }
        Optional<JobState> saved = saver.save(current, next);
        if (saved == null || saved.isEmpty()) {
            stop(StopReason.CLAIM_LOST);
            return false;
        }
        state = saved.get();
        return true;
    }

    private Optional<JobState> saveOwn(JobState current, JobState next) {
        return context.stores().jobs().save(current, next, claim);
    }

    @FunctionalInterface
    private interface Saver {
        /** Null if the run gave up waiting for the store. */
        Optional<JobState> save(JobState current, JobState next);
    }

    private Optional<JobState> saveWithResumePoint(JobState current, JobState next, int nextStep, String inputPath) {
        return context.stores().jobs().saveWithResumePoint(current, next, claim, nextStep, inputPath);
    }

    /** Records each phase of step i's attempt as the lifecycle reports it. */
    private final class Recorder implements StepLifecycle.Observer {
        private final int index;

        Recorder(int index) {
            this.index = index;
        }

        @Override
        public void pulling() {
            save(s -> s.stepPulling(index));
        }

        @Override
        public void created(String containerId) {
            save(s -> s.stepCreated(index, containerId));
        }

        @Override
        public void running() {
            Instant at = now();
            save(s -> s.step(index).status().mayBecome(StepStatus.RUNNING) ? s.stepRunning(index, at) : s);
        }

        /**
         * Best effort, from the thread that stops the container: it must go on to stop it, not wait while the job's
         * thread saves something else, or while Redis is down.
         */
        @Override
        public void stopping() {
            try {
                if (saving.tryLock(STOPPING_RECORD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    try {
                        saveHolding(s -> s.status() == JobStatus.RUNNING && s.step(index).status() == StepStatus.RUNNING
                                ? s.stepStopping(index) : s, JobRun.this::saveOwn);
                    } finally {
                        saving.unlock();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("job {}: stopping is not recorded: {}", job.id(), e.toString());
            }
        }
    }

    /**
     * Runs a store write, waiting out an outage: a step's result is never dropped because Redis was briefly down. A
     * run that lost its claim meanwhile gives up (null).
     */
    private <T> T withStore(Supplier<T> write) {
        while (true) {
            try {
                return write.get();
            } catch (StoreUnavailableException e) {
                if (stopReason.get() == StopReason.CLAIM_LOST) {
                    return null;
                }
                if (!context.leaseHeld().getAsBoolean()) {
                    // Another instance may be taking the job over: the write, and the container start that may
                    // follow it, must not go through once the store is back.
                    stop(StopReason.CLAIM_LOST);
                    return null;
                }
                LOG.warn("job {}: waiting for the store: {}", job.id(), e.getMessage());
                try {
                    Thread.sleep(STORE_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    private void flushLog() {
        withStore(() -> {
            log.flush();
            return true;
        });
    }

    private Instant now() {
        return context.clock().instant();
    }
}
