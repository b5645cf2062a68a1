package io.dray.store;

import io.dray.core.Claim;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/** Jobs and their states in Redis, one hash per job ({@link JobHash}); every change is one script. */
public final class RedisJobStore implements JobStore {
    private final RedisClient redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final JobHash hashes;

    RedisJobStore(RedisClient redis, RedisKeys keys, RedisScripts scripts, JobHash hashes) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.hashes = hashes;
    }

    @Override
    public Optional<JobState> find(String id) {
        Map<String, String> hash = RedisCalls.call(() -> redis.hgetAll(keys.job(id)));
        return hash.isEmpty() ? Optional.empty() : Optional.of(hashes.state(id, hash));
    }

    @Override
    public List<String> listIds() {
        return RedisCalls.call(() -> redis.zrange(keys.jobs(), 0, -1));
    }

    @Override
    public Set<String> endedJobs(Collection<String> ids) {
        Map<String, Response<String>> statuses = new LinkedHashMap<>();
        RedisCalls.call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String id : ids) {
                    statuses.put(id, pipeline.hget(keys.job(id), "status"));
                }
                pipeline.sync();
            }
            return null;
        });
        Set<String> ended = new HashSet<>();
        statuses.forEach((id, status) -> {
            if (status.get() == null || JobStatus.of(status.get()).isFinal()) {
                ended.add(id);
            }
        });
        return ended;
    }

    @Override
    public Optional<JobState> save(JobState current, JobState next, Claim claim) {
        return save(current, next, owner(claim), epoch(claim), "", "");
    }

    @Override
    public Optional<JobState> saveWithResumePoint(JobState current, JobState next, Claim claim, int nextStep,
            String inputPath) {
        return save(current, next, owner(claim), epoch(claim), Integer.toString(nextStep), inputPath == null ? "" : inputPath);
    }

    /** @param owner the owner whose claim fences the write, or "" for a write through the API */
    Optional<JobState> save(JobState current, JobState next, String owner, String epoch, String nextStep,
            String inputPath) {
        JobHash.Changes changes = hashes.changes(current, next);
        List<String> args = new ArrayList<>(List.of(
                owner,
                epoch,
                Long.toString(current.version()),
                current.id(),
                next.status().isFinal() ? "1" : "0",
                nextStep,
                inputPath,
                Integer.toString(changes.deleted().size())));
        args.addAll(changes.deleted());
        args.addAll(changes.set());
        // Not an owner's write: the claimed-list key is a placeholder the script leaves alone.
        Object version = scripts.run("save",
                List.of(keys.job(current.id()), keys.queue(), keys.claimed(owner), keys.log(current.id())), args);
        return version instanceof Long saved && saved > 0 ? Optional.of(next.savedAs(saved)) : Optional.empty();
    }

    /**
     * Ends a job whose stored state cannot be read, through the claim and version it has, with only the fields that
     * say so: status, error, finishedAt.
     */
    void failUnreadable(String id, Map<String, String> hash, String reason, Instant at) {
        List<String> args = new ArrayList<>(List.of(hash.getOrDefault("owner", ""), hash.getOrDefault("epoch", ""),
                hash.getOrDefault("version", "0"), id, "1", "", "", "0",
                "status", JobStatus.ERROR.value(), "error", reason, "finishedAt", at.toString()));
        scripts.run("save", List.of(keys.job(id), keys.queue(), keys.claimed(hash.getOrDefault("owner", "")),
                keys.log(id)), args);
    }

    private static String owner(Claim claim) {
        return claim == null ? "" : claim.instance();
    }

    private static String epoch(Claim claim) {
        return claim == null ? "" : Long.toString(claim.epoch());
    }

    @Override
    public boolean delete(String id) {
        Object existed = scripts.run("delete", List.of(keys.job(id), keys.log(id), keys.jobs(), keys.queue()), List.of(id));
        return Long.valueOf(1).equals(existed);
    }
}
