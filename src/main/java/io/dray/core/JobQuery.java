package io.dray.core;

import java.time.Instant;
import java.util.Set;

/**
 * Which jobs a list shows, in which order: those with one of {@code statuses} (all if empty), whose name starts with
 * {@code namePrefix} (null: any), created at or after {@code since} and before {@code until} (null: no bound), oldest
 * first or newest first, from past the position {@code after} on (null: from the start).
 */
public record JobQuery(Set<JobStatus> statuses, String namePrefix, Instant since, Instant until, boolean newestFirst,
        Long after) {

    public static final JobQuery ALL = new JobQuery(Set.of(), null, null, null, false, null);

    public JobQuery {
        statuses = Set.copyOf(statuses);
    }

    /** Whether the job is one the query asks for; a job whose state could not be read only when nothing is asked. */
    public boolean keeps(JobSummary job) {
        return (statuses.isEmpty() || statuses.contains(job.status()))
                && (namePrefix == null || (job.name() != null && job.name().startsWith(namePrefix)))
                && (since == null || (job.createdAt() != null && !job.createdAt().isBefore(since)))
                && (until == null || (job.createdAt() != null && job.createdAt().isBefore(until)));
    }

    /** The same query, on from past {@code position}. */
    public JobQuery after(long position) {
        return new JobQuery(statuses, namePrefix, since, until, newestFirst, position);
    }
}
