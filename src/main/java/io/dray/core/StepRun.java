package io.dray.core;

import java.util.Map;

/**
 * One attempt of a step to run: its place in the job, which attempt it is (from 1), its merged environment, the data
 * for its stdin ({@code null} for none), whether anyone needs its output (the last step's is not kept), where its log
 * goes, and the lifecycle it reports to and obeys; {@code instance}, {@code epoch} (the claim's) and {@code attempt}
 * name the run, so that leftovers of a dead instance are found and never clash with a later claim's or attempt's
 * containers.
 */
public record StepRun(
        String instance,
        long epoch,
        String jobId,
        int index,
        int attempt,
        Step step,
        Map<String, String> environment,
        StepData input,
        boolean keepOutput,
        JobLog log,
        StepLifecycle lifecycle) {}
