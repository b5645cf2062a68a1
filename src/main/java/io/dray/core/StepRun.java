package io.dray.core;

import java.util.Map;

/**
 * One step to run: its place in the job, its merged environment, the data for its stdin ({@code null} for none) and
 * whether anyone needs its output (the last step's is not kept).
 */
public record StepRun(
        String jobId,
        int index,
        Step step,
        Map<String, String> environment,
        StepData input,
        boolean keepOutput,
        JobLog log) {}
