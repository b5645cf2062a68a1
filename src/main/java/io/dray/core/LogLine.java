package io.dray.core;

/**
 * One line of a job's log, at its place in the whole log ({@code index}, from 0). {@code stream} is null for a line
 * stored before streams were recorded.
 */
public record LogLine(long index, LogStream stream, String text) {}
