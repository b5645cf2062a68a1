package io.dray.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A change of a job's or a step's state, as {@code GET /events} and the Redis channel {@code <keyPrefix>events} tell
 * it: {@code job.queued}, {@code job.running}, {@code job.complete}, {@code job.error}, {@code job.cancelled},
 * {@code job.deleted}, {@code step.running}, {@code step.exited} and {@code step.retrying} (an attempt failed, the
 * step waits to begin again).
 *
 * @param step the step's index, for a step's event
 * @param status the job's status, or the step's state as the API shows it ({@code deleted} for a deleted job)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "job", "step", "status", "time"})
public record JobEvent(String type, String job, Integer step, String status, Instant time) {

    public static JobEvent deleted(String job, Instant at) {
        return new JobEvent("job.deleted", job, null, "deleted", at);
    }

    /** The events that tell the change from {@code before} (null for a new job) to {@code after}, in order. */
    public static List<JobEvent> between(JobState before, JobState after, Instant at) {
        List<JobEvent> events = new ArrayList<>();
        boolean jobChanged = before == null || before.status() != after.status();
        if (jobChanged && !after.status().isFinal()) {
            events.add(ofJob(after, at));
        }
        for (StepRecord step : after.steps()) {
            StepRecord earlier = before == null ? null : before.step(step.index());
            StepStatus was = earlier == null ? StepStatus.PENDING : earlier.status();
            StepStatus now = step.status();
            if (now == was) {
                // An attempt that failed before it was begun goes from pending to pending, one attempt further.
                if (now == StepStatus.PENDING && earlier != null && after.status() == JobStatus.RUNNING
                        && step.attempt() > earlier.attempt()) {
                    events.add(new JobEvent("step.retrying", after.id(), step.index(), now.shown(), at));
                }
                continue;
            }
            if (now == StepStatus.RUNNING) {
                events.add(new JobEvent("step.running", after.id(), step.index(), now.shown(), at));
            } else if (now.isFinal() && was.isBegun()) {
                events.add(new JobEvent("step.exited", after.id(), step.index(), now.shown(), at));
            } else if (now == StepStatus.PENDING && was.isBegun() && after.status() == JobStatus.RUNNING) {
                events.add(new JobEvent("step.retrying", after.id(), step.index(), now.shown(), at));
            }
        }
        if (jobChanged && after.status().isFinal()) {
            events.add(ofJob(after, at));
        }
        return events;
    }

    private static JobEvent ofJob(JobState job, Instant at) {
        return new JobEvent("job." + job.status().value(), job.id(), null, job.status().value(), at);
    }
}
