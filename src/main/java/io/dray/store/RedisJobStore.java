package io.dray.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Claim;
import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.JobStore;
import io.dray.core.Step;
import io.dray.core.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Jobs in Redis. Every write that touches more than one key, or depends on what is there, is one Lua script: Redis
 * runs it atomically, so a job is never half-written, a deleted job stays deleted, and an owner whose claim no longer
 * holds (its owner or epoch changed, or the job ended) writes nothing.
 */
public final class RedisJobStore implements JobStore {
    /** The fence every owner's write starts with: ARGV[1] is the owner, ARGV[2] the claim's epoch. */
    private static final String FENCE = """
            local f = redis.call('hmget', KEYS[1], 'owner', 'epoch', 'status')
            if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] or f[3] == 'complete' or f[3] == 'error' or f[3] == 'cancelled' then
              return 0
            end
            """;
    private static final String ENQUEUE = """
            if redis.call('llen', KEYS[4]) >= tonumber(ARGV[2]) then return 0 end
            redis.call('hset', KEYS[1], unpack(ARGV, 3))
            redis.call('zadd', KEYS[2], redis.call('incr', KEYS[3]), ARGV[1])
            redis.call('rpush', KEYS[4], ARGV[1])
            return 1""";
    private static final String CLAIM = """
            if redis.call('hget', KEYS[1], 'status') ~= 'queued' then
              redis.call('lrem', KEYS[2], 1, ARGV[1])
              return false
            end
            local epoch = redis.call('hincrby', KEYS[1], 'epoch', 1)
            redis.call('hset', KEYS[1], 'owner', ARGV[2])
            local mark = redis.call('hget', KEYS[1], 'logMark')
            if mark then
              if tonumber(mark) == 0 then redis.call('del', KEYS[3]) else redis.call('ltrim', KEYS[3], 0, tonumber(mark) - 1) end
            end
            return epoch""";
    private static final String SAVE_STATE = FENCE + """
            redis.call('hset', KEYS[1], unpack(ARGV, 5))
            if ARGV[4] == '1' then
              redis.call('lrem', KEYS[2], 1, ARGV[3])
              redis.call('hdel', KEYS[1], 'step', 'input', 'logMark')
            end
            return 1""";
    private static final String STEP_STARTING = FENCE + """
            redis.call('hset', KEYS[1], 'step', ARGV[3], 'logMark', redis.call('llen', KEYS[2]))
            if ARGV[4] == '' then redis.call('hdel', KEYS[1], 'input') else redis.call('hset', KEYS[1], 'input', ARGV[4]) end
            return 1""";
    private static final String APPEND_LOG = FENCE + """
            redis.call('rpush', KEYS[2], unpack(ARGV, 3))
            return 1""";
    private static final String REQUEUE = FENCE + """
            redis.call('hset', KEYS[1], 'status', 'queued')
            redis.call('hdel', KEYS[1], 'owner')
            redis.call('lrem', KEYS[2], 1, ARGV[3])
            redis.call('lpush', KEYS[3], ARGV[3])
            return 1""";
    private static final String TRANSITION = """
            if redis.call('hget', KEYS[1], 'status') ~= ARGV[1] then return 0 end
            redis.call('hset', KEYS[1], unpack(ARGV, 4))
            redis.call('lrem', KEYS[2], 1, ARGV[2])
            local owner = redis.call('hget', KEYS[1], 'owner')
            if owner then redis.call('lrem', ARGV[3] .. 'instance:' .. owner .. ':jobs', 1, ARGV[2]) end
            return 1""";
    private static final String DELETE = """
            local owner = redis.call('hget', KEYS[1], 'owner')
            if owner then redis.call('lrem', ARGV[2] .. 'instance:' .. owner .. ':jobs', 1, ARGV[1]) end
            local existed = redis.call('del', KEYS[1])
            redis.call('del', KEYS[2])
            redis.call('zrem', KEYS[3], ARGV[1])
            redis.call('lrem', KEYS[4], 1, ARGV[1])
            return existed""";
    private static final String REQUEUE_DEAD = """
            local ids = redis.call('lrange', KEYS[1], 0, -1)
            local requeued = {}
            for i = #ids, 1, -1 do
              local key = ARGV[2] .. ids[i]
              local f = redis.call('hmget', key, 'status', 'owner')
              if f[1] == 'queued' or (f[1] == 'running' and f[2] == ARGV[1]) then
                redis.call('hset', key, 'status', 'queued')
                redis.call('hdel', key, 'owner')
                redis.call('lpush', KEYS[2], ids[i])
                table.insert(requeued, ids[i])
              end
            end
            redis.call('del', KEYS[1])
            redis.call('srem', KEYS[3], ARGV[1])
            return requeued""";

    private final RedisClient redis;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final SecretCipher secrets;

    public RedisJobStore(RedisClient redis, String keyPrefix, ObjectMapper json, SecretCipher secrets) {
        this.redis = redis;
        this.keys = new RedisKeys(keyPrefix);
        this.json = json;
        this.secrets = secrets;
    }

    @Override
    public boolean enqueue(Job job, JobState state, int maxQueued) {
        List<String> args = new ArrayList<>(List.of(job.id(), Integer.toString(maxQueued), "job", toJson(job)));
        addFields(args, state);
        return isOne(call(() -> redis.eval(ENQUEUE,
                List.of(keys.job(job.id()), keys.jobs(), keys.jobSequence(), keys.queue()), args)));
    }

    @Override
    public Optional<JobState> findState(String id) {
        Map<String, String> fields = call(() -> redis.hgetAll(keys.job(id)));
        return fields.isEmpty() ? Optional.empty() : Optional.of(state(id, fields));
    }

    @Override
    public List<String> listIds() {
        return call(() -> redis.zrange(keys.jobs(), 0, -1));
    }

    @Override
    public long queueLength() {
        return call(() -> redis.llen(keys.queue()));
    }

    @Override
    public Optional<Claim> claimNext(String instance, Duration wait) {
        return call(() -> {
            String id = redis.blmove(keys.queue(), keys.claimed(instance), ListDirection.LEFT, ListDirection.RIGHT,
                    wait.toMillis() / 1000.0);
            if (id == null) {
                return Optional.empty();
            }
            Object epoch = redis.eval(CLAIM, List.of(keys.job(id), keys.claimed(instance), keys.log(id)),
                    List.of(id, instance));
            if (epoch == null) {
                return Optional.empty();
            }
            Map<String, String> fields = redis.hgetAll(keys.job(id));
            JobState state = state(id, fields);
            Job job;
            try {
                job = jobFromJson(fields.get("job"));
            } catch (IllegalStateException e) {
                // Unreadable here (another secret key): the job fails with the reason rather than blocking the queue.
                List<String> args = new ArrayList<>(List.of(instance, epoch.toString(), id, "1"));
                addFields(args, state.failed(e.getMessage(), Instant.now()));
                redis.eval(SAVE_STATE, List.of(keys.job(id), keys.claimed(instance)), args);
                return Optional.empty();
            }
            return Optional.of(new Claim(job, state, instance, (Long) epoch, fields.get("input")));
        });
    }

    @Override
    public boolean saveState(JobState state, Claim claim) {
        List<String> args = fenced(claim, state.id(), state.status().isFinal() ? "1" : "0");
        addFields(args, state);
        return isOne(call(() -> redis.eval(SAVE_STATE, List.of(keys.job(state.id()), keys.claimed(claim.instance())), args)));
    }

    @Override
    public boolean stepStarting(Claim claim, int index, String inputPath) {
        List<String> args = fenced(claim, Integer.toString(index), inputPath == null ? "" : inputPath);
        return isOne(call(() -> redis.eval(STEP_STARTING, List.of(keys.job(claim.jobId()), keys.log(claim.jobId())), args)));
    }

    @Override
    public boolean appendLog(Claim claim, List<String> lines) {
        if (lines.isEmpty()) {
            return true;
        }
        List<String> args = fenced(claim);
        args.addAll(lines);
        return isOne(call(() -> redis.eval(APPEND_LOG, List.of(keys.job(claim.jobId()), keys.log(claim.jobId())), args)));
    }

    @Override
    public boolean requeue(Claim claim) {
        return isOne(call(() -> redis.eval(REQUEUE,
                List.of(keys.job(claim.jobId()), keys.claimed(claim.instance()), keys.queue()),
                fenced(claim, claim.jobId()))));
    }

    @Override
    public boolean transition(JobStatus from, JobState to) {
        List<String> args = new ArrayList<>(List.of(from.value(), to.id(), keys.prefix()));
        addFields(args, to);
        return isOne(call(() -> redis.eval(TRANSITION, List.of(keys.job(to.id()), keys.queue()), args)));
    }

    @Override
    public Set<String> endedJobs(Collection<String> ids) {
        return call(() -> {
            Map<String, Response<String>> statuses = new LinkedHashMap<>();
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String id : ids) {
                    statuses.put(id, pipeline.hget(keys.job(id), "status"));
                }
                pipeline.sync();
            }
            Set<String> ended = new HashSet<>();
            statuses.forEach((id, status) -> {
                if (status.get() == null || JobStatus.of(status.get()).isFinal()) {
                    ended.add(id);
                }
            });
            return ended;
        });
    }

    @Override
    public Set<String> lostClaims(Collection<Claim> claims) {
        return call(() -> {
            Map<Claim, Response<List<String>>> replies = new LinkedHashMap<>();
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (Claim claim : claims) {
                    replies.put(claim, pipeline.hmget(keys.job(claim.jobId()), "owner", "epoch", "status"));
                }
                pipeline.sync();
            }
            Set<String> lost = new HashSet<>();
            replies.forEach((claim, reply) -> {
                List<String> f = reply.get();
                boolean holds = claim.instance().equals(f.get(0))
                        && Long.toString(claim.epoch()).equals(f.get(1))
                        && f.get(2) != null && !JobStatus.of(f.get(2)).isFinal();
                if (!holds) {
                    lost.add(claim.jobId());
                }
            });
            return lost;
        });
    }

    @Override
    public Optional<List<String>> readLog(String id, long fromIndex, int maxLines) {
        return call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                Response<Boolean> exists = pipeline.exists(keys.job(id));
                Response<List<String>> lines = pipeline.lrange(keys.log(id), fromIndex, fromIndex + maxLines - 1);
                pipeline.sync();
                return exists.get() ? Optional.of(lines.get()) : Optional.empty();
            }
        });
    }

    @Override
    public boolean delete(String id) {
        return isOne(call(() -> redis.eval(DELETE, List.of(keys.job(id), keys.log(id), keys.jobs(), keys.queue()),
                List.of(id, keys.prefix()))));
    }

    @Override
    public void heartbeat(String instance, Duration leaseTime) {
        call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                pipeline.set(keys.heartbeat(instance), Instant.now().toString(), SetParams.setParams().px(leaseTime.toMillis()));
                pipeline.sadd(keys.instances(), instance);
                pipeline.sync();
            }
            return null;
        });
    }

    @Override
    public void retire(String instance) {
        requeueJobsOf(instance);
        call(() -> redis.del(keys.heartbeat(instance)));
    }

    @Override
    public Set<String> liveInstances() {
        return instancesWhoseHeartbeat(true);
    }

    @Override
    public Set<String> deadInstances() {
        return instancesWhoseHeartbeat(false);
    }

    private Set<String> instancesWhoseHeartbeat(boolean exists) {
        return call(() -> {
            Map<String, Response<Boolean>> replies = new LinkedHashMap<>();
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String instance : redis.smembers(keys.instances())) {
                    replies.put(instance, pipeline.exists(keys.heartbeat(instance)));
                }
                pipeline.sync();
            }
            Set<String> matching = new HashSet<>();
            replies.forEach((instance, reply) -> {
                if (reply.get() == exists) {
                    matching.add(instance);
                }
            });
            return matching;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> requeueJobsOf(String deadInstance) {
        return (List<String>) call(() -> redis.eval(REQUEUE_DEAD,
                List.of(keys.claimed(deadInstance), keys.queue(), keys.instances()),
                List.of(deadInstance, keys.jobPrefix())));
    }

    /** Answers PING; for the health check. */
    public void ping() {
        call(redis::ping);
    }

    private static List<String> fenced(Claim claim, String... more) {
        List<String> args = new ArrayList<>(List.of(claim.instance(), Long.toString(claim.epoch())));
        args.addAll(List.of(more));
        return args;
    }

    private static void addFields(List<String> args, JobState state) {
        args.add("status");
        args.add(state.status().value());
        args.add("stepsCompleted");
        args.add(Integer.toString(state.stepsCompleted()));
        args.add("createdAt");
        args.add(state.createdAt().toString());
        if (state.startedAt() != null) {
            args.add("startedAt");
            args.add(state.startedAt().toString());
        }
        if (state.finishedAt() != null) {
            args.add("finishedAt");
            args.add(state.finishedAt().toString());
        }
        if (state.error() != null) {
            args.add("error");
            args.add(state.error());
        }
    }

    private static JobState state(String id, Map<String, String> fields) {
        return new JobState(
                id,
                JobStatus.of(fields.get("status")),
                Integer.parseInt(fields.get("stepsCompleted")),
                fields.get("error"),
                instant(fields.get("createdAt")),
                instant(fields.get("startedAt")),
                instant(fields.get("finishedAt")));
    }

    private static boolean isOne(Object reply) {
        return Long.valueOf(1).equals(reply);
    }

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }

    private String toJson(Job job) {
        try {
            return json.writeValueAsString(withSecrets(job, secrets::encrypt));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise job " + job.id(), e);
        }
    }

    private Job jobFromJson(String value) {
        try {
            return withSecrets(json.readValue(value, Job.class), secrets::decrypt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** The job with each secret value passed through {@code transform} (encryption on the way in, the reverse out). */
    private static Job withSecrets(Job job, UnaryOperator<String> transform) {
        UnaryOperator<List<EnvVar>> vars = list -> list.stream()
                .map(v -> v.secret() ? new EnvVar(v.variable(), transform.apply(v.value()), true) : v)
                .toList();
        List<Step> steps = job.steps().stream()
                .map(s -> new Step(s.name(), s.source(), vars.apply(s.environment()), s.output(), s.refresh(),
                        s.beginDelimiter(), s.endDelimiter(), s.timeout(), s.memoryBytes(), s.cpus()))
                .toList();
        return new Job(job.id(), job.name(), vars.apply(job.environment()), steps, job.timeout());
    }

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw new StoreUnavailableException("Redis is unavailable: " + e.getMessage(), e);
        }
    }
}
