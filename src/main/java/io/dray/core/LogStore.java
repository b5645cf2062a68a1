package io.dray.core;

import java.util.List;
import java.util.Optional;

/**
 * Jobs' log lines, in the order their steps wrote them, each with the stream that wrote it; the lines of each step
 * are together, from where the step began.
 */
public interface LogStore {

    /**
     * Appends the owner's lines, written by the streams {@code streams} names one character per line
     * ({@link LogStream#code()}); returns false, writing nothing, if the job was deleted or taken over. A job that was
     * cancelled still takes its owner's lines: what a step wrote before it was stopped is kept.
     */
    boolean append(Claim claim, List<String> lines, String streams);

    /**
     * Reads on from {@code fromIndex}, through at most {@code maxLines} lines of the log (of the step, with a step
     * filter), and keeps those the filter keeps; empty if there is no such job.
     */
    Optional<LogPage> read(String id, long fromIndex, int maxLines, LogFilter filter);
}
