package io.dray.core;

import java.util.List;

/**
 * A page of a job list: the jobs the query keeps among those looked at, and where to look on from ({@code next}, a
 * position; null when every job was looked at).
 */
public record JobListPage(List<JobSummary> jobs, Long next) {}
