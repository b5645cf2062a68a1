package io.dray.api;

import io.dray.core.CallbackTargets;
import io.dray.core.Durations;
import io.dray.core.Job;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one job may ask for, past which it answers 422 naming the field: how many steps and environment variables, how
 * long a value, which network modes, how many retries and how long a wait between them, where a callback may go; and
 * the variables only Dray sets ({@link Job#IDENTITY_VARIABLES}).
 *
 * @param allowedNetworkModes the network modes a step may ask for
 * @param maxRetries the most retries a step may ask for
 * @param maxRetryDelay the longest first wait before a retry a step may ask for
 * @param callbackTargets where a job's callback may be sent
 * @param maxJobBytes the largest job's JSON (a JSON body, or a multipart submission's {@code job} part)
 * @param maxInputBytes the largest {@code input} part of a multipart submission
 */
public record RequestLimits(int maxSteps, int maxEnvironmentVariables, int maxValueLength,
        Set<String> allowedNetworkModes, int maxRetries, Duration maxRetryDelay, CallbackTargets callbackTargets,
        long maxJobBytes, long maxInputBytes) {

    public RequestLimits {
        allowedNetworkModes = Set.copyOf(allowedNetworkModes);
    }

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
        checkVariables("environment", job.environment());
        if (job.callback() != null) {
            try {
                callbackTargets.check(job.callbackUrl());
            } catch (CallbackTargets.NotAllowedException e) {
                throw new InvalidRequestException("callback.url " + e.getMessage());
            }
        }
        for (int i = 0; i < job.steps().size(); i++) {
            StepRepresentation step = job.steps().get(i);
            String field = "steps[" + i + "]";
            checkVariables(field + ".environment", step.environment());
            String networkMode = step.requestedNetworkMode();
            if (networkMode != null && !allowedNetworkModes.contains(networkMode)) {
                throw new InvalidRequestException(field + ".networkMode: \"" + networkMode + "\" is not allowed here"
                        + (allowedNetworkModes.isEmpty() ? " (no network mode may be chosen)"
                                : " (allowed: " + String.join(", ", allowedNetworkModes.stream().sorted().toList()) + ")"));
            }
            if (step.retryCount(field + ".retries") > maxRetries) {
                throw new InvalidRequestException(field + ".retries: at most " + maxRetries + " allowed");
            }
            if (step.retryDelay() != null && step.retryDelay().duration().compareTo(maxRetryDelay) > 0) {
                throw new InvalidRequestException(field + ".retryDelay: at most " + Durations.format(maxRetryDelay)
                        + " allowed");
            }
        }
    }

    private void checkVariables(String field, List<EnvVarRepresentation> variables) {
        if (variables == null) {
            return;
        }
        for (int i = 0; i < variables.size(); i++) {
            EnvVarRepresentation variable = variables.get(i);
            if (variable.value().length() > maxValueLength) {
                throw new InvalidRequestException(field + "[" + i + "].value is longer than " + maxValueLength + " characters");
            }
            if (Job.IDENTITY_VARIABLES.contains(variable.variable())) {
                throw new InvalidRequestException(field + "[" + i + "].variable: " + variable.variable()
                        + " is set by Dray in every step and cannot be set by a job");
            }
        }
    }

    /** A request over a configured limit, or with a value out of range; the message names the field. */
    static final class InvalidRequestException extends RuntimeException {
        InvalidRequestException(String message) {
            super(message);
        }
    }
}
