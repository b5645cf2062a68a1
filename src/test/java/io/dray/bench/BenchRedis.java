package io.dray.bench;

import io.dray.store.RedisFactory;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** What the bench reads of, and removes from, the shared Redis: only the keys under its own prefix. */
final class BenchRedis implements AutoCloseable {
    private final UnifiedJedis redis;

    BenchRedis(String url) {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(url);
        this.redis = factory.build();
    }

    /** Keys under the prefix and the bytes Redis uses for them (MEMORY USAGE, every key, all its values). */
    record Usage(long keys, long bytes) {}

    Usage usage(String prefix) {
        long keys = 0;
        long bytes = 0;
        for (List<String> batch : batches(prefix)) {
            List<Response<Long>> sizes = new ArrayList<>();
            try (AbstractPipeline pipeline = redis.pipelined()) {
                batch.forEach(key -> sizes.add(pipeline.memoryUsage(key, 0)));
                pipeline.sync();
            }
            for (Response<Long> size : sizes) {
                Long value = size.get();
                bytes += value == null ? 0 : value;
            }
            keys += batch.size();
        }
        return new Usage(keys, bytes);
    }

    /** Removes every key under the prefix: a bench run leaves nothing in the shared Redis. */
    void delete(String prefix) {
        for (List<String> batch : batches(prefix)) {
            redis.unlink(batch.toArray(String[]::new));
        }
    }

    /** The keys under the prefix, once each (SCAN may repeat one), in batches of 1,000. */
    private List<List<String>> batches(String prefix) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        ScanParams match = new ScanParams().match(prefix + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, match);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        List<String> all = new ArrayList<>(keys);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 1000) {
            batches.add(all.subList(i, Math.min(all.size(), i + 1000)));
        }
        return batches;
    }

    @Override
    public void close() {
        redis.close();
    }
}
