package io.dray.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/** Dray's stores on one Redis, under one key prefix. */
public final class RedisStores {
    private RedisStores() {}

    /**
     * @param subscriberConnections makes the connection the feed subscribes on (its {@link RedisJobFeed} is a managed
     *     object: it listens once started, until stopped)
     */
    public static Stores create(UnifiedJedis redis, Supplier<Jedis> subscriberConnections, String keyPrefix,
            ObjectMapper json, SecretCipher secrets, Clock clock) {
        return create(redis, subscriberConnections, keyPrefix, json, secrets, clock, null);
    }

    /** @param retention how long a job that sets no ttl of its own is kept once it ended; null for forever */
    public static Stores create(UnifiedJedis redis, Supplier<Jedis> subscriberConnections, String keyPrefix,
            ObjectMapper json, SecretCipher secrets, Clock clock, Duration retention) {
        RedisKeys keys = new RedisKeys(keyPrefix);
        RedisScripts scripts = new RedisScripts(redis);
        JobHash hashes = new JobHash(json, secrets);
        EventCodec events = new EventCodec(json);
        RedisJobStore jobs = new RedisJobStore(redis, keys, scripts, hashes, events, clock, retention);
        return new Stores(
                jobs,
                new RedisJobQueue(redis, keys, scripts, hashes, jobs, events, clock),
                new RedisLogStore(keys, scripts),
                new RedisInstanceRegistry(redis, keys, scripts, clock),
                new RedisJobFeed(subscriberConnections, scripts, keys, events),
                new RedisInputStore(redis, keys, scripts),
                new RedisCallbackStore(redis, keys, scripts, hashes));
    }
}
