package io.dray.api;

import java.util.stream.Stream;

/** How much one job may ask for: steps, environment variables, the length of a value; past that, 422. */
public record RequestLimits(int maxSteps, int maxEnvironmentVariables, int maxValueLength) {

    void check(JobRepresentation job) {
        if (job.steps().size() > maxSteps) {
            throw new InvalidRequestException("steps: " + job.steps().size() + " steps, at most " + maxSteps + " allowed");
        }
        long variables = Stream.concat(Stream.of(job.environment()), job.steps().stream().map(StepRepresentation::environment))
                .mapToLong(list -> list == null ? 0 : list.size())
                .sum();
        if (variables > maxEnvironmentVariables) {
            throw new InvalidRequestException("environment: " + variables + " variables in the job and its steps, at most "
                    + maxEnvironmentVariables + " allowed");
        }
        checkValues("environment", job.environment());
        for (int i = 0; i < job.steps().size(); i++) {
            checkValues("steps[" + i + "].environment", job.steps().get(i).environment());
        }
    }

    private void checkValues(String field, java.util.List<EnvVarRepresentation> variables) {
        if (variables == null) {
            return;
        }
        for (int i = 0; i < variables.size(); i++) {
            if (variables.get(i).value().length() > maxValueLength) {
                throw new InvalidRequestException(field + "[" + i + "].value is longer than " + maxValueLength + " characters");
            }
        }
    }

    /** A request over a configured limit; the message names the field. */
    static final class InvalidRequestException extends RuntimeException {
        InvalidRequestException(String message) {
            super(message);
        }
    }
}
