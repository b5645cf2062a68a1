package io.dray.core;

import com.codahale.metrics.health.HealthCheck;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The engine's own health, beside Redis's and Docker's: unhealthy when this instance has not renewed its lease for
 * longer than the lease (other instances may then take its jobs over), or when its dispatcher no longer claims jobs.
 */
final class EngineHealthCheck extends HealthCheck {
    private final LeaseKeeper leaseKeeper;
    private final Dispatcher dispatcher;
    private final Clock clock;

    EngineHealthCheck(LeaseKeeper leaseKeeper, Dispatcher dispatcher, Clock clock) {
        this.leaseKeeper = leaseKeeper;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    @Override
    protected Result check() {
        Instant now = clock.instant();
        Instant heartbeat = leaseKeeper.lastHeartbeat();
        Duration heartbeatAge = heartbeat == null ? null : Duration.between(heartbeat, now);
        Duration dispatcherIdle = Duration.between(dispatcher.lastTurn(), now);
        boolean leaseHeld = heartbeatAge != null && heartbeatAge.compareTo(leaseKeeper.leaseTime()) < 0;
        // The loop turns at least once per claim wait; a few missed turns mean it is stuck.
        boolean dispatching = dispatcher.isClaiming() && dispatcherIdle.compareTo(Dispatcher.CLAIM_WAIT.multipliedBy(10)) < 0;
        ResultBuilder result = (leaseHeld && dispatching ? Result.builder().healthy() : Result.builder().unhealthy())
                .withDetail("lastHeartbeatAgeMillis", heartbeatAge == null ? null : heartbeatAge.toMillis())
                .withDetail("leaseTimeMillis", leaseKeeper.leaseTime().toMillis())
                .withDetail("dispatcherAlive", dispatching)
                .withDetail("jobsRunning", dispatcher.runs().size());
        if (!leaseHeld) {
            result.withMessage(heartbeatAge == null ? "the lease was never renewed (is Redis reachable?)"
                    : "the lease was last renewed " + heartbeatAge.toMillis() + " ms ago: other instances may take over this one's jobs");
        } else if (!dispatching) {
            result.withMessage("the dispatcher does not claim jobs");
        }
        return result.build();
    }
}
