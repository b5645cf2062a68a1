package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A job as submitted: a named list of steps run in order, with environment variables shared by every step, a limit on
 * its whole run time ({@code timeout}, null for none), how long it is kept once it ended ({@code ttl}, null for the
 * engine's retention), how many bytes of input its first step reads on its stdin ({@code inputBytes}, null for
 * none; the bytes are kept in the store until that step succeeded), and where its end is told ({@code callback}, null
 * for nowhere).
 */
public record Job(String id, String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl,
        Long inputBytes, Callback callback) {

    /** The variables Dray sets in every step, with the original's production fork's names; a job may not set them. */
    public static final List<String> IDENTITY_VARIABLES = List.of("DRAY_JOB_ID", "DRAY_JOB_NAME",
            "DRAY_CURRENT_STEP_INDEX", "DRAY_CURRENT_STEP_NAME", "DRAY_STEP_ATTEMPT");

    public Job {
        requireNonNull(id, "id");
        environment = environment == null ? List.of() : List.copyOf(environment);
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a job needs at least one step");
        }
    }

    public Job(String id, String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl) {
        this(id, name, environment, steps, timeout, ttl, null, null);
    }

    public Job(String id, String name, List<EnvVar> environment, List<Step> steps) {
        this(id, name, environment, steps, null, null);
    }

    /**
     * What a step's container gets: the job's variables overlaid with the step's own (the step wins for a variable set
     * in both), and Dray's {@link #IDENTITY_VARIABLES} for this attempt (counted from 1).
     */
    public Map<String, String> environmentOf(int stepIndex, int attempt) {
        Map<String, String> merged = new LinkedHashMap<>();
        environment.forEach(v -> merged.put(v.variable(), v.value()));
        steps.get(stepIndex).environment().forEach(v -> merged.put(v.variable(), v.value()));
        Step step = steps.get(stepIndex);
        merged.put("DRAY_JOB_ID", id);
        merged.put("DRAY_JOB_NAME", name == null ? "" : name);
        merged.put("DRAY_CURRENT_STEP_INDEX", Integer.toString(stepIndex));
        merged.put("DRAY_CURRENT_STEP_NAME", step.name() == null ? "" : step.name());
        merged.put("DRAY_STEP_ATTEMPT", Integer.toString(attempt));
        return merged;
    }

    /**
     * This job with each secret value (of its variables, its steps' and its callback's) passed through
     * {@code transform}: encrypted on the way into the store, decrypted on the way out, masked for a reader.
     */
    public Job withSecretValues(UnaryOperator<String> transform) {
        UnaryOperator<List<EnvVar>> variables = list -> list.stream()
                .map(v -> v.secret() ? new EnvVar(v.variable(), transform.apply(v.value()), true) : v)
                .toList();
        List<Step> otherSteps = steps.stream().map(s -> s.withEnvironment(variables.apply(s.environment()))).toList();
        Callback otherCallback = callback == null || callback.secret() == null ? callback
                : new Callback(callback.url(), transform.apply(callback.secret()));
        return new Job(id, name, variables.apply(environment), otherSteps, timeout, ttl, inputBytes, otherCallback);
    }

    /** This job as a reader may see it: every secret value is {@link EnvVar#MASK}. */
    public Job masked() {
        return withSecretValues(value -> EnvVar.MASK);
    }

    /**
     * The values of every secret variable of the job and its steps, and its callback's secret, to be masked wherever
     * output shows them.
     */
    public List<String> secretValues() {
        return Stream.concat(
                        Stream.concat(environment.stream(), steps.stream().flatMap(s -> s.environment().stream()))
                                .filter(EnvVar::secret)
                                .map(EnvVar::value),
                        callback == null ? Stream.<String>empty() : callback.secretValues().stream())
                .filter(value -> !value.isEmpty())
                .distinct()
                .toList();
    }

    /** How the job's messages name a step: its position counted from 1, and its name or image. */
    public String describeStep(int stepIndex) {
        Step step = steps.get(stepIndex);
        return "step " + (stepIndex + 1) + " (" + (step.name() != null ? step.name() : step.source()) + ")";
    }
}
