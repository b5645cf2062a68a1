package io.dray.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A change of a job's or a step's state, as {@code GET /events} and the Redis channel {@code <keyPrefix>events} tell
 * it: {@code job.queued}, {@code job.running}, {@code job.complete}, {@code job.error}, {@code job.cancelled},
 * {@code job.deleted}, {@code step.running}, {@code step.exited} and {@code step.retrying} (an attempt failed, the
 * step waits to begin again).
 *
 * @param step the step's index, for a step's event
 * @param status the job's status, or the step's state as the API shows it ({@code deleted} for a deleted job)
 * @param id its place in the event history ({@link JobFeed#history}), such as {@code 1764460800000-0}; null until the
 *     store kept it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "job", "step", "status", "time", "id"})
public record JobEvent(String type, String job, Integer step, String status, Instant time, String id) {
    /** How ids look: milliseconds, a dash, a sequence number (Redis's stream ids). */
    private static final Pattern ID = Pattern.compile("([0-9]{1,18})-([0-9]{1,18})");

    public JobEvent(String type, String job, Integer step, String status, Instant time) {
        this(type, job, step, status, time, null);
    }

    public JobEvent withId(String historyId) {
        return new JobEvent(type, job, step, status, time, historyId);
    }

    /** Whether {@code text} is an event's id. */
    public static boolean isId(String text) {
        return text != null && ID.matcher(text).matches();
    }

    /** Orders two event ids as the history does; both must be {@linkplain #isId ids}. */
    public static int compareIds(String a, String b) {
        Matcher first = ID.matcher(a);
        Matcher second = ID.matcher(b);
        if (!first.matches() || !second.matches()) {
            throw new IllegalArgumentException("not event ids: " + a + ", " + b);
        }
        int byTime = Long.compare(Long.parseLong(first.group(1)), Long.parseLong(second.group(1)));
        return byTime != 0 ? byTime : Long.compare(Long.parseLong(first.group(2)), Long.parseLong(second.group(2)));
    }

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
