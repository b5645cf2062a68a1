package io.dray.core;

import java.util.Locale;

/** Which of a step's streams wrote a log line. Stored as one character per line. */
public enum LogStream {
    STDOUT('o'),
    STDERR('e');

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
        return code == 'o' ? STDOUT : code == 'e' ? STDERR : null;
    }

    public static LogStream of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
