package io.dray.store;

import io.dray.core.Claim;
import io.dray.core.Job;
import io.dray.core.JobEvent;
import io.dray.core.JobFeed;
import io.dray.core.JobListPage;
import io.dray.core.JobQuery;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.JobStore;
import io.dray.core.JobSummary;
import io.dray.core.StoreDataException;
import java.time.Clock;
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
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.Tuple;

/** Jobs and their states in Redis, one hash per job ({@link JobHash}); every change is one script. */
public final class RedisJobStore implements JobStore {
    /** How many events the scripts keep in the event history, as they take it. */
    static final String HISTORY = Integer.toString(JobFeed.HISTORY);
    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final JobHash hashes;
    private final EventCodec events;
    private final Clock clock;
    /** Milliseconds a job that sets no ttl of its own is kept once it ended; "" for forever. */
    private final String retention;

    /** @param retention how long a job that sets no ttl of its own is kept once it ended; null for forever */
    RedisJobStore(UnifiedJedis redis, RedisKeys keys, RedisScripts scripts, JobHash hashes, EventCodec events,
            Clock clock, Duration retention) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.hashes = hashes;
        this.events = events;
        this.clock = clock;
        this.retention = retention == null ? "" : Long.toString(retention.toMillis());
    }

    @Override
    public Optional<JobState> find(String id) {
        Map<String, String> hash = RedisCalls.call(() -> redis.hgetAll(keys.job(id)));
        return hash.isEmpty() ? Optional.empty() : Optional.of(hashes.state(id, hash));
    }

    @Override
    public Optional<Job> definition(String id) {
        String stored = RedisCalls.call(() -> redis.hget(keys.job(id), "job"));
        return stored == null ? Optional.empty() : Optional.of(hashes.maskedJob(id, stored));
    }

    @Override
    public JobListPage list(JobQuery query, int maxScanned) {
        String from = query.after() == null ? (query.newestFirst() ? "+inf" : "-inf") : "(" + query.after();
        List<Tuple> scanned = RedisCalls.call(() -> query.newestFirst()
                ? redis.zrevrangeByScoreWithScores(keys.jobs(), from, "-inf", 0, maxScanned)
                : redis.zrangeByScoreWithScores(keys.jobs(), from, "+inf", 0, maxScanned));
        List<Response<List<String>>> fields = new ArrayList<>(scanned.size());
        RedisCalls.call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (Tuple job : scanned) {
                    fields.add(pipeline.hmget(keys.job(job.getElement()), "name", "status", "createdAt", "finishedAt",
                            "schema"));
                }
                pipeline.sync();
            }
            return null;
        });
        List<JobSummary> kept = new ArrayList<>();
        for (int i = 0; i < scanned.size(); i++) {
            String id = scanned.get(i).getElement();
            List<String> f = fields.get(i).get();
            if (f.get(1) == null) {
                continue; // deleted meanwhile
            }
            long position = (long) scanned.get(i).getScore();
            JobSummary job;
            try {
                String name = f.get(4) != null ? f.get(0) : nameOfSchemaOne(id);
                job = hashes.summary(id, name, f.get(1), f.get(2), f.get(3), position);
            } catch (StoreDataException e) {
                // One damaged job must not break the list for every client: it is listed by its id alone.
                job = new JobSummary(id, null, null, null, null, position);
            }
            if (query.keeps(job)) {
                kept.add(job);
            }
        }
        Long next = scanned.size() < maxScanned ? null : (long) scanned.get(scanned.size() - 1).getScore();
        return new JobListPage(kept, next);
    }

    /** A job written before names were fields of their own has its name in the submitted job only. */
    private String nameOfSchemaOne(String id) {
        Map<String, String> hash = RedisCalls.call(() -> redis.hgetAll(keys.job(id)));
        return hash.isEmpty() ? null : hashes.state(id, hash).name();
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
        List<String> published = events.toJson(JobEvent.between(current, next, clock.instant()));
        List<String> args = new ArrayList<>(List.of(
                owner,
                epoch,
                Long.toString(current.version()),
                current.id(),
                next.status().isFinal() ? "1" : "0",
                nextStep,
                inputPath,
                Integer.toString(changes.deleted().size()),
                Integer.toString(published.size()),
                next.status().isFinal() && next.finishedAt() != null ? Long.toString(next.finishedAt().toEpochMilli()) : "",
                retention,
                HISTORY));
        args.addAll(changes.deleted());
        args.addAll(published);
        args.addAll(changes.set());
        // Not an owner's write: the claimed-list key is a placeholder the script leaves alone.
        Object version = scripts.run("save", List.of(keys.job(current.id()), keys.queue(), keys.claimed(owner),
                keys.log(current.id()), keys.eventsChannel(), keys.expiries(), keys.callbacks(), keys.eventHistory()), args);
        return version instanceof Long saved && saved > 0 ? Optional.of(next.savedAs(saved)) : Optional.empty();
    }

    @Override
    public void scheduleExpiries() {
        for (long start = 0; ; start += 1000) {
            long from = start;
            List<String> ids = RedisCalls.call(() -> redis.zrange(keys.jobs(), from, from + 999));
            if (ids.isEmpty()) {
                return;
            }
            List<Response<List<String>>> fields = new ArrayList<>(ids.size());
            RedisCalls.call(() -> {
                try (AbstractPipeline pipeline = redis.pipelined()) {
                    for (String id : ids) {
                        fields.add(pipeline.hmget(keys.job(id), "status", "finishedAt", "ttl"));
                    }
                    pipeline.sync();
                }
                try (AbstractPipeline pipeline = redis.pipelined()) {
                    for (int i = 0; i < ids.size(); i++) {
                        List<String> f = fields.get(i).get();
                        if (f.get(0) == null || f.get(1) == null || !JobStatus.of(f.get(0)).isFinal()) {
                            continue;
                        }
                        String ttl = f.get(2) != null ? f.get(2) : retention;
                        if (ttl.isEmpty()) {
                            pipeline.zrem(keys.expiries(), ids.get(i));
                        } else {
                            pipeline.zadd(keys.expiries(), Instant.parse(f.get(1)).toEpochMilli() + Long.parseLong(ttl),
                                    ids.get(i));
                        }
                    }
                    pipeline.sync();
                }
                return null;
            });
        }
    }

    @Override
    public List<String> expired(Instant now, int max) {
        Object ids = scripts.run("expired", List.of(keys.expiries(), keys.callbacks()),
                List.of(Long.toString(now.toEpochMilli()), Integer.toString(max),
                        Long.toString(KEPT_FOR_CALLBACK.toMillis())));
        return ((List<?>) ids).stream().map(String::valueOf).toList();
    }

    /**
     * Ends a job whose stored state cannot be read, through the claim and version it has, with only the fields that
     * say so: status, error, finishedAt.
     */
    void failUnreadable(String id, Map<String, String> hash, String reason, Instant at) {
        String event = events.toJson(new JobEvent("job.error", id, null, JobStatus.ERROR.value(), at));
        List<String> args = new ArrayList<>(List.of(hash.getOrDefault("owner", ""), hash.getOrDefault("epoch", ""),
                hash.getOrDefault("version", "0"), id, "1", "", "", "0", "1", Long.toString(at.toEpochMilli()), retention,
                HISTORY, event, "status", JobStatus.ERROR.value(), "error", reason, "finishedAt", at.toString()));
        scripts.run("save", List.of(keys.job(id), keys.queue(), keys.claimed(hash.getOrDefault("owner", "")),
                keys.log(id), keys.eventsChannel(), keys.expiries(), keys.callbacks(), keys.eventHistory()), args);
    }

    private static String owner(Claim claim) {
        return claim == null ? "" : claim.instance();
    }

    private static String epoch(Claim claim) {
        return claim == null ? "" : Long.toString(claim.epoch());
    }

    @Override
    public boolean delete(String id) {
        Object existed = scripts.run("delete", List.of(keys.job(id), keys.log(id), keys.jobs(), keys.queue(),
                        keys.logStreams(id), keys.eventsChannel(), keys.expiries(), keys.input(id), keys.callbacks(),
                        keys.eventHistory()),
                List.of(id, events.toJson(JobEvent.deleted(id, clock.instant())), HISTORY));
        return Long.valueOf(1).equals(existed);
    }
}
