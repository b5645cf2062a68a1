package io.dray.core;

/**
 * Which lines of a log to read: those of one step ({@code step}, null for every step) and of one stream
 * ({@code stream}, null for both).
 */
public record LogFilter(Integer step, LogStream stream) {
    public static final LogFilter ALL = new LogFilter(null, null);

    public boolean keeps(LogLine line) {
        return stream == null || stream == line.stream();
    }
}
