package io.dray.core;

import java.util.List;
import java.util.Optional;

/** Jobs' log lines, in the order their steps wrote them. */
public interface LogStore {

    /**
     * Appends the owner's lines; returns false, writing nothing, if the job was deleted or taken over. A job that was
     * cancelled still takes its owner's lines: what a step wrote before it was stopped is kept.
     */
    boolean append(Claim claim, List<String> lines);

    /** At most {@code maxLines} lines from {@code fromIndex} on, or empty if there is no such job. */
    Optional<List<String>> read(String id, long fromIndex, int maxLines);
}
