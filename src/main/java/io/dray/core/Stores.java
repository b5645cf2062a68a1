package io.dray.core;

/**
 * The store the engine works through, by what it keeps: jobs, the queue and its claims, logs, instances, jobs' inputs
 * and their callbacks' deliveries; and the feed of what changes in it.
 */
public record Stores(JobStore jobs, JobQueue queue, LogStore logs, InstanceRegistry instances, JobFeed feed,
        InputStore inputs, CallbackStore callbacks) {

    /** These stores, with every change of a job's state written through them told to the observer once written. */
    public Stores observedBy(JobObserver observer) {
        return ObservedStores.of(this, observer);
    }
}
