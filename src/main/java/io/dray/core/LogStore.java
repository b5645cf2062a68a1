package io.dray.core;

import java.util.List;
import java.util.Optional;

/**
 * Jobs' log lines, in the order their steps wrote them, each with the stream that wrote it; the lines of each step
 * are together, from where the step began. A log is only ever appended to: an index always names the same line.
 */
public interface LogStore {
    /** About the most bytes of lines a page holds (and one line more at most): lines may be 64 KiB long. */
    int PAGE_BYTES = 256 * 1024;


    /**
     * Appends the owner's lines, written by the streams {@code streams} names one character per line
     * ({@link LogStream#code()}); returns false, writing nothing, if the job was deleted or taken over. A job that was
     * cancelled still takes its owner's lines: what a step wrote before it was stopped is kept.
     */
    boolean append(Claim claim, List<String> lines, String streams);

    /**
     * Reads on from {@code fromIndex}, through at most {@code maxLines} lines of the log (of the step, with a step
     * filter) and about {@link #PAGE_BYTES}, and keeps those the filter keeps; empty if there is no such job.
     */
    Optional<LogPage> read(String id, long fromIndex, int maxLines, LogFilter filter);
}
