package io.dray.core;

import java.time.Instant;

/**
 * A job as a list shows it; only its id and position when its stored state cannot be read. {@code position} orders
 * jobs by submission (a later job has a greater one), and is the cursor a list pages by.
 */
public record JobSummary(String id, String name, JobStatus status, Instant createdAt, Instant finishedAt, long position) {}
