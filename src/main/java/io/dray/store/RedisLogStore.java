package io.dray.store;

import io.dray.core.Claim;
import io.dray.core.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/** Jobs' logs in Redis: a list of lines per job, appended by its owner in batches. */
public final class RedisLogStore implements LogStore {
    private final RedisClient redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;

    RedisLogStore(RedisClient redis, RedisKeys keys, RedisScripts scripts) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
    }

    @Override
    public boolean append(Claim claim, List<String> lines) {
        if (lines.isEmpty()) {
            return true;
        }
        List<String> args = new ArrayList<>(lines.size() + 2);
        args.add(claim.instance());
        args.add(Long.toString(claim.epoch()));
        args.addAll(lines);
        return Long.valueOf(1).equals(scripts.run("append_log", List.of(keys.job(claim.jobId()), keys.log(claim.jobId())), args));
    }

    @Override
    public Optional<List<String>> read(String id, long fromIndex, int maxLines) {
        return RedisCalls.call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                Response<Boolean> exists = pipeline.exists(keys.job(id));
                Response<List<String>> lines = pipeline.lrange(keys.log(id), fromIndex, fromIndex + maxLines - 1);
                pipeline.sync();
                return exists.get() ? Optional.of(lines.get()) : Optional.empty();
            }
        });
    }
}
