package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job as submitted: a named list of steps run in order, with environment variables shared by every step, a limit on
 * its whole run time ({@code timeout}, null for none), and how long it is kept once it ended ({@code ttl}, null for
 * the engine's retention).
 */
public record Job(String id, String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl) {

    public Job {
        requireNonNull(id, "id");
        environment = environment == null ? List.of() : List.copyOf(environment);
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a job needs at least one step");
        }
    }

    public Job(String id, String name, List<EnvVar> environment, List<Step> steps) {
        this(id, name, environment, steps, null, null);
    }

    /** The job's variables overlaid with the step's own: the step wins for a variable set in both. */
    public Map<String, String> environmentOf(int stepIndex) {
        Map<String, String> merged = new LinkedHashMap<>();
        environment.forEach(v -> merged.put(v.variable(), v.value()));
        steps.get(stepIndex).environment().forEach(v -> merged.put(v.variable(), v.value()));
        return merged;
    }

    /** The values of every secret variable of the job and its steps, to be masked wherever output shows them. */
    public List<String> secretValues() {
        return java.util.stream.Stream.concat(environment.stream(), steps.stream().flatMap(s -> s.environment().stream()))
                .filter(EnvVar::secret)
                .map(EnvVar::value)
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
