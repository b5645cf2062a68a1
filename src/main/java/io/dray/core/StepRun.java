package io.dray.core;

import java.util.Map;

/**
 * One attempt of a step to run: its place in the job, its merged environment, the data for its stdin ({@code null}
 * for none), whether anyone needs its output (the last step's is not kept), where its log goes, and the lifecycle it
 * reports to and obeys; {@code instance} and {@code epoch} (the claim's) name the run, so that leftovers of a dead
 * instance are found and never clash with a later claim's containers.
 */
public record StepRun(
        String instance,
        long epoch,
        String jobId,
        int index,
        Step step,
        Map<String, String> environment,
        StepData input,
        boolean keepOutput,
        JobLog log,
        StepLifecycle lifecycle) {}
