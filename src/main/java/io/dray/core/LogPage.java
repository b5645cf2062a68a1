package io.dray.core;

import java.util.List;

/**
 * A page of a job's log, read in one atomic step with the job's status then.
 *
 * @param lines the lines read that the filter kept, in order
 * @param next the index to read on from
 * @param exhausted whether there was nothing more to read when the page was read (more may come while the job runs)
 * @param jobStatus the job's status when the page was read: a final one with {@code exhausted} means the log is whole
 * @param length how many lines the whole log had when the page was read
 */
public record LogPage(List<LogLine> lines, long next, boolean exhausted, JobStatus jobStatus, long length) {

    /** Whether nothing more will ever come after this page. */
    public boolean isLast() {
        return exhausted && jobStatus.isFinal();
    }
}
