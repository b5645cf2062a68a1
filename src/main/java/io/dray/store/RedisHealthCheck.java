package io.dray.store;

import com.codahale.metrics.health.HealthCheck;

public final class RedisHealthCheck extends HealthCheck {
    private final RedisJobStore store;

    public RedisHealthCheck(RedisJobStore store) {
        this.store = store;
    }

    @Override
    protected Result check() {
        store.ping();
        return Result.healthy();
    }
}
