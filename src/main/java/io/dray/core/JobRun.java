package io.dray.core;

import com.codahale.metrics.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One claimed job's way through its steps, on one worker thread. It resumes where the job stands (an interrupted job
 * starts again at the step that was running, on the input kept for it), and can be stopped from outside: by a
 * cancel, a timeout, the engine shutting down, or the claim being lost. Every state it writes goes through the claim,
 * so a run that lost its job writes nothing.
 */
final class JobRun {
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
    private static final Duration STORE_RETRY = Duration.ofSeconds(1);

    /** Why a run was stopped from outside; the first reason given wins. */
    enum StopReason { CLAIM_LOST, SHUTDOWN, STEP_TIMEOUT, JOB_TIMEOUT, LOG_OVERFLOW }

    private final Claim claim;
    private final Job job;
    private final JobStore store;
    private final StepRunner runner;
    private final SpoolDirectory spools;
    private final Clock clock;
    private final JobLog log;
    private final Duration defaultStepTimeout;
    private final Timer stepDurations;
    private JobState state;
    private volatile StopReason stopReason;
    private volatile StepControl control;
    private volatile Instant stepDeadline;
    private volatile Duration stepTimeout;
    private volatile Instant jobDeadline;
    private volatile int currentStep;

    JobRun(Claim claim, JobStore store, StepRunner runner, SpoolDirectory spools, Clock clock, JobLog log,
            Duration defaultStepTimeout, Timer stepDurations) {
        this.claim = claim;
        this.job = claim.job();
        this.state = claim.state();
        this.store = store;
        this.runner = runner;
        this.spools = spools;
        this.clock = clock;
        this.log = log;
        this.defaultStepTimeout = defaultStepTimeout;
        this.stepDurations = stepDurations;
    }

    Claim claim() {
        return claim;
    }

    JobLog log() {
        return log;
    }

    /** Stops the run: the running step's container is stopped, no further step starts. */
    void stop(StopReason reason) {
        synchronized (this) {
            if (stopReason != null) {
                return;
            }
            stopReason = reason;
        }
        LOG.info("job {}: stopping ({})", job.id(), reason);
        StepControl current = control;
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
        int first = state.stepsCompleted();
        StepData input = null;
        try {
            if (first > 0 && first < job.steps().size()) {
                input = resumedInput(first);
                if (input == null) {
                    return fail("interrupted: the input of " + job.describeStep(first)
                            + " was lost with the instance that ran it");
                }
            }
            if (!save(state.started(clock.instant()))) {
                return null;
            }
            if (job.timeout() != null) {
                jobDeadline = clock.instant().plus(job.timeout());
            }
            for (int i = first; i < job.steps().size(); i++) {
                StepData current = input;
                input = null;
                StepData next = runStep(i, current);
                if (stopReason != null || state.status().isFinal()) {
                    spools.release(next);
                    return endStopped();
                }
                input = next;
            }
            return save(state.completed(clock.instant())) ? JobStatus.COMPLETE : null;
        } catch (StepFailedException e) {
            return fail(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return fail("cannot pass data between steps: " + e.getMessage());
        } finally {
            spools.release(input);
        }
    }

    private StepData resumedInput(int step) {
        if (claim.resumeInput() == null || !Files.isRegularFile(Path.of(claim.resumeInput()))) {
            return null;
        }
        LOG.info("job {}: resuming at {} on its kept input", job.id(), job.describeStep(step));
        return StepData.ownedFile(Path.of(claim.resumeInput()));
    }

    /** Runs step i on the previous step's data; returns the data for the next step (null after the last). */
    private StepData runStep(int i, StepData input) throws StepFailedException, IOException {
        Step step = job.steps().get(i);
        boolean last = i == job.steps().size() - 1;
        try {
            if (stopReason != null || !recordStepStart(i, input)) {
                return null;
            }
            StepOutcome outcome;
            try (Timer.Context ignored = stepDurations.time()) {
                outcome = runner.run(new StepRun(claim.instance(), claim.epoch(), job.id(), i, step,
                        job.environmentOf(i), input, !last, log, control));
            } catch (StepFailedException e) {
                if (stopReason != null) {
                    return null;
                }
                throw new StepFailedException(job.describeStep(i) + " could not run: " + e.getMessage(), e);
            } finally {
                stepDeadline = null;
                flushLog();
            }
            if (stopReason != null || log.claimLost()) {
                stop(StopReason.CLAIM_LOST);
                spools.release(outcome.output());
                return null;
            }
            if (outcome.outOfMemory()) {
                spools.release(outcome.output());
                throw new StepFailedException(job.describeStep(i) + " was killed for using more memory than its limit"
                        + (step.memoryBytes() != null ? " (" + step.memoryBytes() + " bytes)" : ""));
            }
            if (!outcome.succeeded()) {
                spools.release(outcome.output());
                throw new StepFailedException(job.describeStep(i) + " exited with code " + outcome.exitCode());
            }
            if (!save(state.stepSucceeded()) || last) {
                spools.release(outcome.output());
                return null;
            }
            return keepForNextStep(step, outcome.output(), i + 1);
        } finally {
            // The input is kept on disk until the step that read it has succeeded or the job ended, never longer.
            if (stopReason != StopReason.SHUTDOWN && stopReason != StopReason.CLAIM_LOST) {
                spools.release(input);
            }
        }
    }

    private boolean recordStepStart(int i, StepData input) throws IOException {
        currentStep = i;
        StepControl next = new StepControl();
        control = next;
        if (stopReason != null) {
            // A stop that came while the previous step's control was still current must reach this one too.
            next.stop();
        }
        Duration timeout = job.steps().get(i).timeout() != null ? job.steps().get(i).timeout() : defaultStepTimeout;
        stepTimeout = timeout;
        stepDeadline = timeout == null ? null : clock.instant().plus(timeout);
        String inputPath = input == null ? null : spools.stepInput(job.id(), i).toString();
        if (!withStore(() -> store.stepStarting(claim, i, inputPath))) {
            stop(StopReason.CLAIM_LOST);
            return false;
        }
        return true;
    }

    /** The next step's input, kept at a fixed path so that a take-over finds it. */
    private StepData keepForNextStep(Step step, StepData output, int nextIndex) throws IOException {
        StepData passed = output;
        if (step.passesOnlyDelimitedLines()) {
            try (output) {
                passed = DelimitedLines.select(output, step.beginDelimiter(), step.endDelimiter(), spools);
            }
        }
        return passed.moveTo(spools.stepInput(job.id(), nextIndex));
    }

    /** What a stopped run leaves: a final state for a timeout, the job back in the queue on shutdown, else nothing. */
    private JobStatus endStopped() {
        return switch (stopReason == null ? StopReason.CLAIM_LOST : stopReason) {
            case STEP_TIMEOUT -> fail(job.describeStep(currentStep) + " timed out after " + Durations.format(stepTimeout));
            case JOB_TIMEOUT -> fail("job timed out after " + Durations.format(job.timeout()));
            case LOG_OVERFLOW -> fail("too many log lines waited for Redis while it was unavailable; the job was stopped");
            case SHUTDOWN -> {
                withStore(() -> store.requeue(claim));
                yield null;
            }
            case CLAIM_LOST -> null;
        };
    }

    JobStatus fail(String reason) {
        LOG.info("job {} failed: {}", job.id(), reason);
        return save(state.failed(reason, clock.instant())) ? JobStatus.ERROR : null;
    }

    /** Saves a new state through the claim; a claim that no longer holds stops the run. */
    private boolean save(JobState next) {
        if (state.status().isFinal() || stopReason == StopReason.CLAIM_LOST) {
            return false;
        }
        if (!withStore(() -> store.saveState(next, claim))) {
            stop(StopReason.CLAIM_LOST);
            return false;
        }
        state = next;
        return true;
    }

    /**
     * Runs a store write, waiting out an outage: a step's result is never dropped because Redis was briefly down. A
     * run that lost its claim meanwhile gives up.
     */
    private boolean withStore(java.util.function.BooleanSupplier write) {
        while (true) {
            try {
                return write.getAsBoolean();
            } catch (StoreUnavailableException e) {
                if (stopReason == StopReason.CLAIM_LOST) {
                    return false;
                }
                LOG.warn("job {}: waiting for the store: {}", job.id(), e.getMessage());
                try {
                    Thread.sleep(STORE_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
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
}
