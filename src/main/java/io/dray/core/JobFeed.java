package io.dray.core;

/**
 * What changes, as it happens, from every instance sharing the store: the state changes of jobs and steps, and the
 * jobs whose log grew. Nothing is replayed: a listener hears what happens while it listens.
 */
public interface JobFeed {

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
}
