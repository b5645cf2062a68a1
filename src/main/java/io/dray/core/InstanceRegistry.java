package io.dray.core;

import java.time.Duration;
import java.util.Set;

/** The Dray instances sharing a store, and whether each is alive: it renews a lease, or its lease has expired. */
public interface InstanceRegistry {

    /** Says that {@code instance} is alive for {@code leaseTime}. */
    void heartbeat(String instance, Duration leaseTime);

    /** Registered instances whose lease is current. */
    Set<String> live();

    /** Registered instances whose lease has expired. */
    Set<String> dead();

    /**
     * Forgets an instance found dead, once its jobs were handed back; unless it renewed its lease meanwhile (it was
     * only slow), which this check and the forgetting do in one step.
     */
    void forget(String instance);

    /** An instance that stops on purpose, its jobs handed back: it is not alive any more, nobody waits for its lease. */
    void retire(String instance);
}
