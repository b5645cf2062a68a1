package io.dray.core;

import java.util.Map;

/**
 * One step to run: its place in the job, its merged environment, the data for its stdin ({@code null} for none),
 * whether anyone needs its output (the last step's is not kept), where its log goes and how it is stopped;
 * {@code instance} and {@code attempt} (the claim's epoch) name the run, so that leftovers of a dead instance are
 * found and never clash with a new attempt.
 */
public record StepRun(
        String instance,
        long attempt,
        String jobId,
        int index,
        Step step,
        Map<String, String> environment,
        StepData input,
        boolean keepOutput,
        JobLog log,
        StepControl control) {}
