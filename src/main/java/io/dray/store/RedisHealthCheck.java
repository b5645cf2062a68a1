package io.dray.store;

import com.codahale.metrics.health.HealthCheck;
import redis.clients.jedis.RedisClient;

public final class RedisHealthCheck extends HealthCheck {
    private final RedisClient redis;

    public RedisHealthCheck(RedisClient redis) {
        this.redis = redis;
    }

    @Override
    protected Result check() {
        RedisCalls.call(redis::ping);
        return Result.healthy();
    }
}
