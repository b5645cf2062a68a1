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
     * Forgets an instance that stopped on purpose, or was found dead, once its jobs were handed back: it is not alive
     * any more, and nothing waits for its lease to expire.
     */
    void forget(String instance);
}
