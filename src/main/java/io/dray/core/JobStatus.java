package io.dray.core;

import java.util.Locale;

/** Where a job is in its life. {@link #isFinal()} states never change again. */
public enum JobStatus {
    QUEUED(false),
    RUNNING(false),
    COMPLETE(true),
    ERROR(true),
    CANCELLED(true);

    private final boolean isFinal;

    JobStatus(boolean isFinal) {
        this.isFinal = isFinal;
    }

    public boolean isFinal() {
        return isFinal;
    }

    /** The status as the API and the store spell it: {@code running}, {@code complete}... */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
