package io.dray.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Stores;
import java.time.Clock;
import redis.clients.jedis.RedisClient;

/** Dray's stores on one Redis, under one key prefix. */
public final class RedisStores {
    private RedisStores() {}

    public static Stores create(RedisClient redis, String keyPrefix, ObjectMapper json, SecretCipher secrets, Clock clock) {
        RedisKeys keys = new RedisKeys(keyPrefix);
        RedisScripts scripts = new RedisScripts(redis);
        JobHash hashes = new JobHash(json, secrets);
        RedisJobStore jobs = new RedisJobStore(redis, keys, scripts, hashes);
        return new Stores(
                jobs,
                new RedisJobQueue(redis, keys, scripts, hashes, jobs, clock),
                new RedisLogStore(redis, keys, scripts),
                new RedisInstanceRegistry(redis, keys, scripts, clock));
    }
}
