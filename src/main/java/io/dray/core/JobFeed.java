package io.dray.core;

import java.util.List;

/**
 * What changes, as it happens, from every instance sharing the store: the state changes of jobs and steps, and the
 * jobs whose log grew. A listener hears what happens while it listens; the last {@link #HISTORY} or so events are also
 * kept, in order, each under its id, so that a client that lost its stream can be told what it missed.
 */
public interface JobFeed {
    /** About how many events are kept for {@link #history}. */
    int HISTORY = 10_000;

    /**
     * The kept events after one: {@code complete} when they are every event after it, false when some of those are no
     * longer kept (or the id is none of this history's), and then {@code events} is empty.
     */
    record History(List<JobEvent> events, boolean complete) {}

    /** Hears every change; called on the feed's own thread, so it must only hand work on, never wait. */
    interface Listener {
        void onEvent(JobEvent event);

        void onLogGrew(String jobId);

        /**
         * The feed listens (again): what changed while it did not was missed, and whoever waits for a change should
         * look for itself once.
         */
        default void onListening() {}
    }

    /** Calls the listener for every change from now until the returned handle is closed. */
    AutoCloseable listen(Listener listener);

    /**
     * The events kept after the event {@code afterId} (a {@linkplain JobEvent#isId valid id}), oldest first, each with
     * its id; at most {@link #HISTORY} + 1000 of them (more are not complete).
     */
    History history(String afterId);
}
