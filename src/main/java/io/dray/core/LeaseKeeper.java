package io.dray.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's lease, and with it its jobs: renews its heartbeat, stops the runs whose claim was lost
 * (cancelled, deleted or taken over through another instance), and takes back the jobs of instances whose lease
 * expired. It talks to the store only, on its own thread: a Docker engine that stalls can never make this instance
 * look dead (the dead instances' containers are left to the {@link LeftoverSweeper}).
 */
final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final String instance;
    private final Stores stores;
    private final Dispatcher dispatcher;
    private final LeftoverSweeper sweeper;
    private final ScheduledExecutorService executor;
    private final Duration leaseTime;
    private final Clock clock;
    private volatile Instant lastHeartbeat;
    /** When the last heartbeat that reached the store was sent: the lease lasts at most a lease time from then. */
    private volatile Instant lastHeartbeatSent;
    private volatile boolean renewalFailing;
    private volatile long queueLength;
    private volatile boolean retired;
    private ScheduledFuture<?> renewals;

    LeaseKeeper(String instance, Stores stores, Dispatcher dispatcher, LeftoverSweeper sweeper,
            ScheduledExecutorService executor, Duration leaseTime, Clock clock) {
        this.instance = instance;
        this.stores = stores;
        this.dispatcher = dispatcher;
        this.sweeper = sweeper;
        this.executor = executor;
        this.leaseTime = leaseTime;
        this.clock = clock;
    }

    /** How often the lease is renewed: a third of the lease, at most every second (also how soon a lost claim stops). */
    Duration renewalInterval() {
        return Duration.ofMillis(Math.max(100, Math.min(1000, leaseTime.toMillis() / 3)));
    }

    /** Renews the lease once at once (Redis may be down: then the first tick does), then periodically. */
    void start() {
        tick();
        long interval = renewalInterval().toMillis();
        renewals = executor.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** When the lease was last renewed; null if never. */
    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    Duration leaseTime() {
        return leaseTime;
    }

    long queueLength() {
        return queueLength;
    }

    /**
     * False once renewals have failed for a lease time: the lease may have expired in the store, and another instance
     * may be taking this one's jobs over, so its runs must neither write nor start containers, nor its dispatcher
     * claim, until {@link #renew} has handed every job back. Renewals that succeed keep it true whatever the clock
     * says.
     */
    boolean leaseHeld() {
        Instant sent = lastHeartbeatSent;
        return sent != null && (!renewalFailing || clock.instant().isBefore(sent.plus(leaseTime)));
    }

    /** One renewal; never throws (a scheduled task that throws is never run again). */
    void tick() {
        try {
            renew();
            renewalFailing = false;
        } catch (StoreUnavailableException e) {
            renewalFailing = true;
            LOG.warn("cannot renew the lease of instance {}: {}", instance, e.getMessage());
        } catch (RuntimeException e) {
            renewalFailing = true;
            LOG.error("cannot renew the lease of instance {}", instance, e);
        }
    }

    private synchronized void renew() {
        if (retired) {
            return;
        }
        Instant sending = clock.instant();
        if (lastHeartbeatSent != null && !leaseHeld()) {
            handBack();
        }
        stores.instances().heartbeat(instance, leaseTime);
        lastHeartbeatSent = sending;
        lastHeartbeat = clock.instant();
        queueLength = stores.queue().length();
        List<JobRun> runs = List.copyOf(dispatcher.runs());
        if (!runs.isEmpty()) {
            List<Claim> lost = stores.queue().lostClaims(runs.stream().map(JobRun::claim).toList());
            runs.stream()
                    .filter(run -> lost.stream().anyMatch(claim -> claim == run.claim()))
                    .forEach(run -> run.stop(JobRun.StopReason.CLAIM_LOST));
        }
        for (String dead : stores.instances().dead()) {
            if (!dead.equals(instance)) {
                try {
                    takeOver(dead);
                } catch (StoreDataException e) {
                    LOG.error("cannot take over the jobs of instance {}: {}", dead, e.getMessage());
                }
            }
        }
    }

    /**
     * An expired lease is never renewed as if nothing happened: another instance may be taking these jobs over at
     * this moment, and a run that went on would run its step beside the take-over's.
     */
    private void handBack() {
        dispatcher.runs().forEach(run -> run.stop(JobRun.StopReason.CLAIM_LOST));
        List<String> requeued = stores.queue().requeueJobsOf(instance, id -> true);
        LOG.warn("the lease of instance {} may have expired (last renewed {}): its jobs {} are queued again", instance,
                lastHeartbeat, requeued);
    }

    private void takeOver(String dead) {
        List<String> requeued = stores.queue().requeueJobsOf(dead, id -> true);
        if (!requeued.isEmpty()) {
            LOG.warn("instance {} stopped renewing its lease; its jobs {} are queued again", dead, requeued);
        }
        stores.instances().forget(dead);
        sweeper.removeContainersOf(dead);
    }

    /** An instance that stops on purpose hands back whatever it still holds, and is forgotten at once. */
    synchronized void retire() {
        retired = true;
        if (renewals != null) {
            renewals.cancel(false);
        }
        try {
            stores.queue().requeueJobsOf(instance, id -> true);
            stores.instances().retire(instance);
        } catch (RuntimeException e) {
            LOG.warn("cannot retire instance {}: its lease will expire instead", instance);
        }
    }

    /** The instances alive now, this one included; null if the store cannot tell. */
    Set<String> liveInstances() {
        try {
            Set<String> live = new java.util.HashSet<>(stores.instances().live());
            live.add(instance);
            return live;
        } catch (StoreUnavailableException e) {
            return null;
        }
    }
}
