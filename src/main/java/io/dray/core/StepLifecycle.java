package io.dray.core;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one step as the engine and the runner both see it, so that a stop asked for in any phase wins:
 * <ul>
 *   <li>before the container is created, it is never created ({@link #mayCreate()} says no; a pull under way is
 *       aborted);
 *   <li>between create and start, the container is removed without being started ({@link #created} and
 *       {@link #mayStart()} say no); one that arrives while the engine is starting it is removed by force as soon as
 *       the start returns (Docker ignores a stop of a container that has not started yet, and a step stopped before
 *       it was running is owed no grace);
 *   <li>once started, it is told to stop (SIGTERM, then SIGKILL after the grace) again and again until the engine
 *       confirms it stopped, and is force-removed when the engine keeps failing to.
 * </ul>
 * The runner calls the phase methods in order on the step's thread; {@link #stop()} may come from any thread at any
 * time.
 */
public final class StepLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(StepLifecycle.class);
    /** Failed stops after which the container is force-removed instead. */
    static final int STOPS_BEFORE_KILL = 3;
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(5);

    enum Phase { PENDING, PULLING, CREATED, STARTING, RUNNING, EXITED }

    /** What the engine records as the step moves on; called on the thread that moves it. */
    public interface Observer {
        void pulling();

        void created(String containerId);

        void running();

        /** A stop was sent to the running container. */
        void stopping();
    }

    /** How a started container is stopped; the runner's. */
    public interface Stopper {
        /** Stops the container and returns once the engine says it no longer runs; throws if it cannot say so. */
        void stop(String containerId) throws StepFailedException;

        /** Removes the container by force, killing it. */
        void kill(String containerId) throws StepFailedException;
    }

    private final Observer observer;
    private final Stopper stopper;
    private final Executor stops;
    private Phase phase = Phase.PENDING;
    private boolean stopRequested;
    private String containerId;
    private Runnable abortPull;

    /** @param stops where a started container's stop runs, retries included */
    public StepLifecycle(Observer observer, Stopper stopper, Executor stops) {
        this.observer = observer;
        this.stopper = stopper;
        this.stops = stops;
    }

    /** The image is about to be pulled; {@code abort} ends the pull early. False if a stop came first: do not pull. */
    public boolean pulling(Runnable abort) {
        synchronized (this) {
            if (stopRequested) {
                return false;
            }
            phase = Phase.PULLING;
            abortPull = abort;
        }
        observer.pulling();
        return true;
    }

    /** False if a stop came first: create nothing. */
    public synchronized boolean mayCreate() {
        abortPull = null;
        return !stopRequested;
    }

    /** The container exists. False if a stop came first: remove it, never start it. */
    public boolean created(String id) {
        synchronized (this) {
            phase = Phase.CREATED;
            containerId = id;
        }
        observer.created(id);
        return mayProceed();
    }

    /** The container is about to be started. False if a stop came first: remove it, never start it. */
    public synchronized boolean mayStart() {
        if (stopRequested) {
            return false;
        }
        phase = Phase.STARTING;
        return true;
    }

    /** The engine started the container. */
    public void started() {
        boolean stoppedWhileStarting;
        synchronized (this) {
            phase = Phase.RUNNING;
            stoppedWhileStarting = stopRequested;
        }
        if (stoppedWhileStarting) {
            stopSoon(STOPS_BEFORE_KILL); // before recording it runs: that may wait for Redis, the kill must not
        }
        observer.running();
    }

    /** The container exited, or the attempt ended without one: any stop under way is done. */
    public synchronized void exited() {
        phase = Phase.EXITED;
    }

    /** Stops the step in whatever phase it is; asking again changes nothing. */
    public void stop() {
        Runnable abort = null;
        boolean stopNow = false;
        synchronized (this) {
            if (stopRequested) {
                return;
            }
            stopRequested = true;
            if (phase == Phase.PULLING) {
                abort = abortPull;
            } else if (phase == Phase.RUNNING) {
                stopNow = true;
            }
        }
        if (abort != null) {
            // Closing a pull talks to Docker: not on the caller's thread, which may be the lease keeper's.
            runOnStopsPool(abort);
        }
        if (stopNow) {
            stopSoon(0);
        }
    }

    public synchronized boolean stopRequested() {
        return stopRequested;
    }

    private synchronized boolean mayProceed() {
        return !stopRequested;
    }

    private synchronized boolean exitedYet() {
        return phase == Phase.EXITED;
    }

    /** @param failedStops how many stops count as failed already: {@link #STOPS_BEFORE_KILL} to kill at once */
    private void stopSoon(int failedStops) {
        runOnStopsPool(() -> stopUntilExited(failedStops));
    }

    private void runOnStopsPool(Runnable task) {
        try {
            stops.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // only once the pool was shut down, after the engine stopped: nothing else waits then
        }
    }

    /** Runs until the engine confirms the container stopped, or the step's own thread saw it exit. */
    void stopUntilExited(int failedStops) {
        try {
            observer.stopping();
        } catch (RuntimeException e) {
            LOG.warn("cannot record that container {} is stopping: {}", containerId, e.toString());
        }
        Duration retry = FIRST_RETRY;
        for (int failures = failedStops; !exitedYet(); failures++) {
            try {
                if (failures < STOPS_BEFORE_KILL) {
                    stopper.stop(containerId);
                } else {
                    stopper.kill(containerId);
                }
                return;
            } catch (StepFailedException | RuntimeException e) {
                LOG.warn("cannot stop container {} yet ({} failures): {}", containerId, failures + 1, e.getMessage());
            }
            try {
                Thread.sleep(retry.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
        }
    }
}
