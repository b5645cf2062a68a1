package io.dray.store;

import com.codahale.metrics.health.HealthCheck;
import redis.clients.jedis.UnifiedJedis;

public final class RedisHealthCheck extends HealthCheck {
    private final UnifiedJedis redis;

    public RedisHealthCheck(UnifiedJedis redis) {
        this.redis = redis;
    }

    @Override
    protected Result check() {
        RedisCalls.call(redis::ping);
        return Result.healthy();
    }
}
