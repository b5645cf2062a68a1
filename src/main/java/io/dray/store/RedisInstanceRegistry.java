package io.dray.store;

import io.dray.core.InstanceRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.Response;

/** Instances in Redis: a set of their names, and per instance a heartbeat key that expires with its lease. */
public final class RedisInstanceRegistry implements InstanceRegistry {
    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final Clock clock;

    RedisInstanceRegistry(UnifiedJedis redis, RedisKeys keys, RedisScripts scripts, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.clock = clock;
    }

    @Override
    public void heartbeat(String instance, Duration leaseTime) {
        scripts.run("heartbeat", List.of(keys.heartbeat(instance), keys.instances()),
                List.of(instance, Long.toString(leaseTime.toMillis()), clock.instant().toString()));
    }

    @Override
    public void retire(String instance) {
        scripts.run("retire", List.of(keys.heartbeat(instance), keys.instances(), keys.claimed(instance)),
                List.of(instance));
    }

    @Override
    public void forget(String instance) {
        scripts.run("forget_instance", List.of(keys.heartbeat(instance), keys.instances(), keys.claimed(instance)),
                List.of(instance));
    }

    @Override
    public Set<String> live() {
        return instancesWhoseHeartbeat(true);
    }

    @Override
    public Set<String> dead() {
        return instancesWhoseHeartbeat(false);
    }

    private Set<String> instancesWhoseHeartbeat(boolean exists) {
        Map<String, Response<Boolean>> replies = new LinkedHashMap<>();
        RedisCalls.call(() -> {
            Set<String> instances = redis.smembers(keys.instances());
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String instance : instances) {
                    replies.put(instance, pipeline.exists(keys.heartbeat(instance)));
                }
                pipeline.sync();
            }
            return null;
        });
        Set<String> matching = new HashSet<>();
        replies.forEach((instance, reply) -> {
            if (reply.get() == exists) {
                matching.add(instance);
            }
        });
        return matching;
    }
}
