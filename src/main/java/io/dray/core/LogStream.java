package io.dray.core;

import java.util.Locale;

/**
 * Which stream wrote a log line: one of a step's, or Dray itself (the line that marks where an attempt of a step
 * begins again). Stored as one character per line.
 */
public enum LogStream {
    STDOUT('o'),
    STDERR('e'),
    DRAY('d');

    private final char code;

    LogStream(char code) {
        this.code = code;
    }

    public char code() {
        return code;
    }

    /** {@code stdout} or {@code stderr}, as the API spells them. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The stream a stored code names; null for a line stored before streams were recorded. */
    public static LogStream ofCode(char code) {
        return code == 'o' ? STDOUT : code == 'e' ? STDERR : code == 'd' ? DRAY : null;
    }

    public static LogStream of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
