package io.dray.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dray.core.InputStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * Jobs' inputs in Redis, one string per job, written and read a chunk at a time so that no call holds a large input
 * in memory. An input expires {@link #ABANDONED_AFTER} after its last chunk until its job is queued, which makes it
 * permanent (the enqueue script) until the first step succeeded or the job is deleted.
 */
final class RedisInputStore implements InputStore {
    static final Duration ABANDONED_AFTER = Duration.ofHours(1);
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;

    RedisInputStore(UnifiedJedis redis, RedisKeys keys, RedisScripts scripts) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
    }

    @Override
    public void append(String jobId, byte[] chunk, int length) {
        byte[] bytes = length == chunk.length ? chunk : Arrays.copyOf(chunk, length);
        scripts.runBinary("append_input", List.of(key(jobId)),
                List.of(bytes, Long.toString(ABANDONED_AFTER.toSeconds()).getBytes(UTF_8)));
    }

    @Override
    public boolean copyTo(String jobId, Path target) throws IOException {
        byte[] key = key(jobId);
        if (!RedisCalls.call(() -> redis.exists(key))) {
            return false;
        }
        long length = RedisCalls.call(() -> redis.strlen(key));
        try (OutputStream out = Files.newOutputStream(target)) {
            for (long start = 0; start < length; start += READ_CHUNK_BYTES) {
                long from = start;
                long to = Math.min(length, start + READ_CHUNK_BYTES) - 1;
                byte[] chunk = RedisCalls.call(() -> redis.getrange(key, from, to));
                if (chunk.length != to - from + 1) {
                    return false; // deleted while it was read: the job is gone
                }
                out.write(chunk);
            }
        }
        return true;
    }

    @Override
    public void discard(String jobId) {
        RedisCalls.call(() -> redis.unlink(key(jobId)));
    }

    private byte[] key(String jobId) {
        return keys.input(jobId).getBytes(UTF_8);
    }
}
