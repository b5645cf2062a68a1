package io.dray.core;

/**
 * How the engine stops a running step (cancel, timeout, shutdown, lost claim) without knowing what runs it: the
 * runner hands over a way to stop once there is something to stop; a stop asked for before that is applied then.
 */
public final class StepControl {
    private Runnable stopper;
    private boolean stopRequested;

    /** Called by the runner as soon as the step can be stopped. */
    public void onStop(Runnable stopper) {
        boolean stopNow;
        synchronized (this) {
            this.stopper = stopper;
            stopNow = stopRequested;
        }
        if (stopNow) {
            stopper.run();
        }
    }

    public void stop() {
        Runnable toRun;
        synchronized (this) {
            if (stopRequested) {
                return;
            }
            stopRequested = true;
            toRun = stopper;
        }
        if (toRun != null) {
            toRun.run();
        }
    }

    public synchronized boolean stopRequested() {
        return stopRequested;
    }
}
