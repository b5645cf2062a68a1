package io.dray.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where one step is in its life. The engine tells the finer states apart ({@link #PULLING}, {@link #CREATED},
 * {@link #STOPPING}); the API shows each as one of {@code pending}, {@code running}, {@code complete}, {@code error},
 * {@code cancelled} and {@code skipped} ({@link #shown()}). {@link #mayBecome} is the one rule of which state may follow
 * which: every change of a step record is checked against it.
 */
public enum StepStatus {
    /**
     * Not begun: its job is queued, or an earlier step still runs, or it was handed back to begin again, or it waits
     * for its retry.
     */
    PENDING("pending"),
    /** Its image is being pulled. */
    PULLING("pending"),
    /** Its container exists and has not been started. */
    CREATED("pending"),
    RUNNING("running"),
    /** Its container was told to stop (a timeout, a shutdown) and has not exited yet. */
    STOPPING("running"),
    /** Its container exited with code 0. */
    COMPLETE("complete"),
    /** It exited non-zero, could not start, timed out or was killed: {@code error} says which. */
    ERROR("error"),
    /** Its job was cancelled while the step was begun. */
    CANCELLED("cancelled"),
    /** It never began: an earlier step failed, or its job was cancelled or timed out first. */
    SKIPPED("skipped");

    private final String shown;

    StepStatus(String shown) {
        this.shown = shown;
    }

    /** The state as the API shows it. */
    public String shown() {
        return shown;
    }

    public boolean isFinal() {
        return this == COMPLETE || this == ERROR || this == CANCELLED || this == SKIPPED;
    }

    /** Begun: a container may exist for the step. */
    public boolean isBegun() {
        return this == PULLING || this == CREATED || this == RUNNING || this == STOPPING;
    }

    /**
     * Whether a step in this state may move to {@code next}. A final state never changes; a begun step goes back to
     * {@link #PENDING} only when its job is handed back to the queue, to begin again on another attempt.
     */
    public boolean mayBecome(StepStatus next) {
        return !isFinal() && successors().contains(next);
    }

    private Set<StepStatus> successors() {
        return switch (this) {
            // Cancelled: a step waiting for its retry, or handed back after it was begun, had run before.
            case PENDING -> EnumSet.of(PULLING, CREATED, ERROR, CANCELLED, SKIPPED);
            case PULLING -> EnumSet.of(PENDING, CREATED, ERROR, CANCELLED);
            case CREATED -> EnumSet.of(PENDING, RUNNING, ERROR, CANCELLED);
            case RUNNING -> EnumSet.of(PENDING, STOPPING, COMPLETE, ERROR, CANCELLED);
            case STOPPING -> EnumSet.of(PENDING, COMPLETE, ERROR, CANCELLED);
            default -> EnumSet.noneOf(StepStatus.class);
        };
    }

    /** As the store spells it: {@code pending}, {@code pulling}... */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StepStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
