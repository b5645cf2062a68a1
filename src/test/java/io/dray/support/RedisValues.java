package io.dray.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

/** What Dray keeps in Redis under a key prefix, for tests that check a secret is nowhere in it. */
public final class RedisValues {
    private RedisValues() {}

    /** Every key under the prefix, and every value each holds (of hashes, lists, sets, sorted sets and strings). */
    public static List<String> under(String redisUrl, String prefix) {
        List<String> values = new ArrayList<>();
        try (RedisClient redis = RedisClient.create(URI.create(redisUrl))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                var page = redis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                for (String key : page.getResult()) {
                    values.add(key);
                    switch (redis.type(key)) {
                        case "hash" -> values.addAll(redis.hgetAll(key).values());
                        case "list" -> values.addAll(redis.lrange(key, 0, -1));
                        case "set" -> values.addAll(redis.smembers(key));
                        case "zset" -> values.addAll(redis.zrange(key, 0, -1));
                        case "string" -> values.add(redis.get(key));
                        default -> values.add("unknown type of " + key);
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return values;
    }
}
