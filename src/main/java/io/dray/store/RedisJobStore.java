package io.dray.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.JobStore;
import io.dray.core.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Jobs in Redis. Every write that touches more than one key, or must not resurrect a deleted job, is one Lua script:
 * Redis runs it atomically, so a job is never half-written and a job deleted while it runs stays deleted.
 */
public final class RedisJobStore implements JobStore {
    private static final String CREATE = """
            redis.call('hset', KEYS[1], unpack(ARGV, 2))
            redis.call('zadd', KEYS[2], redis.call('incr', KEYS[3]), ARGV[1])
            return 1""";
    private static final String UPDATE_IF_EXISTS = """
            if redis.call('exists', KEYS[1]) == 0 then return 0 end
            redis.call('hset', KEYS[1], unpack(ARGV))
            return 1""";
    private static final String APPEND_IF_EXISTS = """
            if redis.call('exists', KEYS[1]) == 0 then return 0 end
            redis.call('rpush', KEYS[2], unpack(ARGV))
            return 1""";
    private static final String DELETE = """
            local existed = redis.call('del', KEYS[1])
            redis.call('del', KEYS[2])
            redis.call('zrem', KEYS[3], ARGV[1])
            return existed""";

    private final RedisClient redis;
    private final RedisKeys keys;
    private final ObjectMapper json;

    public RedisJobStore(RedisClient redis, String keyPrefix, ObjectMapper json) {
        this.redis = redis;
        this.keys = new RedisKeys(keyPrefix);
        this.json = json;
    }

    @Override
    public void create(Job job, JobState state) {
        List<String> args = new ArrayList<>();
        args.add(job.id());
        args.add("job");
        args.add(toJson(job));
        stateFields(state).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        call(() -> redis.eval(CREATE, List.of(keys.job(job.id()), keys.jobs(), keys.jobSequence()), args));
    }

    @Override
    public Optional<Job> findJob(String id) {
        String value = call(() -> redis.hget(keys.job(id), "job"));
        return Optional.ofNullable(value).map(this::jobFromJson);
    }

    @Override
    public Optional<JobState> findState(String id) {
        Map<String, String> fields = call(() -> redis.hgetAll(keys.job(id)));
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JobState(
                id,
                JobStatus.of(fields.get("status")),
                Integer.parseInt(fields.get("stepsCompleted")),
                fields.get("error"),
                instant(fields.get("createdAt")),
                instant(fields.get("startedAt")),
                instant(fields.get("finishedAt"))));
    }

    @Override
    public List<String> listIds() {
        return call(() -> redis.zrange(keys.jobs(), 0, -1));
    }

    @Override
    public boolean saveState(JobState state) {
        List<String> args = new ArrayList<>();
        stateFields(state).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        Object saved = call(() -> redis.eval(UPDATE_IF_EXISTS, List.of(keys.job(state.id())), args));
        return Long.valueOf(1).equals(saved);
    }

    @Override
    public boolean appendLog(String id, List<String> lines) {
        if (lines.isEmpty()) {
            return call(() -> redis.exists(keys.job(id)));
        }
        Object appended = call(() -> redis.eval(APPEND_IF_EXISTS, List.of(keys.job(id), keys.log(id)), lines));
        return Long.valueOf(1).equals(appended);
    }

    @Override
    public Optional<List<String>> readLog(String id, long fromIndex) {
        return call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                Response<Boolean> exists = pipeline.exists(keys.job(id));
                Response<List<String>> lines = pipeline.lrange(keys.log(id), fromIndex, -1);
                pipeline.sync();
                return exists.get() ? Optional.of(lines.get()) : Optional.empty();
            }
        });
    }

    @Override
    public boolean delete(String id) {
        Object existed = call(() -> redis.eval(DELETE, List.of(keys.job(id), keys.log(id), keys.jobs()), List.of(id)));
        return Long.valueOf(1).equals(existed);
    }

    /** Answers PING; for the health check. */
    public void ping() {
        call(redis::ping);
    }

    private static Map<String, String> stateFields(JobState state) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", state.status().value());
        fields.put("stepsCompleted", Integer.toString(state.stepsCompleted()));
        fields.put("createdAt", state.createdAt().toString());
        if (state.startedAt() != null) {
            fields.put("startedAt", state.startedAt().toString());
        }
        if (state.finishedAt() != null) {
            fields.put("finishedAt", state.finishedAt().toString());
        }
        if (state.error() != null) {
            fields.put("error", state.error());
        }
        return fields;
    }

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }

    private String toJson(Job job) {
        try {
            return json.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise job " + job.id(), e);
        }
    }

    private Job jobFromJson(String value) {
        try {
            return json.readValue(value, Job.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw new StoreUnavailableException("Redis is unavailable: " + e.getMessage(), e);
        }
    }
}
