package io.dray.store;

import io.dray.core.Claim;
import io.dray.core.Job;
import io.dray.core.JobEvent;
import io.dray.core.JobQueue;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.StoreDataException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ListDirection;

/**
 * The queue of waiting jobs (a list, front first) and each instance's claims (a list of the jobs it claimed) in
 * Redis. A claim is one script: the job leaves the queue, joins the instance's list and gets its owner and a new epoch
 * at once, so no failure can leave a job claimed and still {@code queued} by an instance that does not know it.
 */
public final class RedisJobQueue implements JobQueue {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobQueue.class);
    /** How often a requeue is tried again when the job changed between the read and the write. */
    private static final int REQUEUE_TRIES = 10;

    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final JobHash hashes;
    private final RedisJobStore jobs;
    private final EventCodec events;
    private final Clock clock;

    RedisJobQueue(UnifiedJedis redis, RedisKeys keys, RedisScripts scripts, JobHash hashes, RedisJobStore jobs,
            EventCodec events, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.hashes = hashes;
        this.jobs = jobs;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public boolean enqueue(Job job, JobState state, int maxQueued) {
        List<String> args = new ArrayList<>(List.of(job.id(), Integer.toString(maxQueued),
                events.toJson(JobEvent.between(null, state, clock.instant()).get(0)),
                job.inputBytes() == null ? "" : Long.toString(job.inputBytes()), RedisJobStore.HISTORY));
        args.addAll(hashes.newJob(job, state));
        Object queued = scripts.run("enqueue", List.of(keys.job(job.id()), keys.jobs(), keys.jobSequence(), keys.queue(),
                keys.eventsChannel(), keys.input(job.id()), keys.eventHistory()), args);
        if (Long.valueOf(-1).equals(queued)) {
            throw new StoreDataException("the input of job " + job.id() + " is not all in the store (it expired?)", null);
        }
        return Long.valueOf(1).equals(queued);
    }

    @Override
    public long length() {
        return RedisCalls.call(() -> redis.llen(keys.queue()));
    }

    @Override
    public Optional<Claim> claimNext(String instance, Duration wait) {
        // A move from the queue's front back to its front waits for a job and names it without changing the queue.
        String front = RedisCalls.call(() -> redis.blmove(keys.queue(), keys.queue(), ListDirection.LEFT,
                ListDirection.LEFT, wait.toMillis() / 1000.0));
        while (front != null) {
            String id = front;
            Object reply = scripts.run("claim", List.of(keys.queue(), keys.claimed(instance), keys.job(id)),
                    List.of(id, instance));
            if (reply instanceof List<?> fields) {
                Optional<Claim> claim = claim(id, instance, hashOf(fields));
                if (claim.isPresent()) {
                    return claim;
                }
            }
            // Another instance was first, the id was not a queued job, or the job could not be read: the next one.
            front = RedisCalls.call(() -> redis.lindex(keys.queue(), 0));
        }
        return Optional.empty();
    }

    /**
     * The claim of a job the script just claimed; empty, the job failed with the reason, if it cannot be read here
     * (another secret key, a damaged hash): a job nobody can run must not block the queue.
     */
    private Optional<Claim> claim(String id, String instance, Map<String, String> hash) {
        String epoch = hash.get("epoch");
        JobState state;
        try {
            state = hashes.state(id, hash);
        } catch (StoreDataException e) {
            LOG.error("job {} cannot run: {}", id, e.getMessage());
            jobs.failUnreadable(id, hash, e.getMessage(), clock.instant());
            return Optional.empty();
        }
        try {
            return Optional.of(new Claim(hashes.job(id, hash), state, instance, Long.parseLong(epoch), hash.get("input")));
        } catch (StoreDataException e) {
            LOG.error("job {} cannot run: {}", id, e.getMessage());
            jobs.save(state, state.failed(e.getMessage(), clock.instant()), instance, epoch, "", "");
            return Optional.empty();
        }
    }

    @Override
    public boolean requeue(Claim claim, JobState current, JobState requeued) {
        return requeue(current, requeued, claim.instance(), Long.toString(claim.epoch()));
    }

    private boolean requeue(JobState current, JobState requeued, String owner, String epoch) {
        JobHash.Changes changes = hashes.changes(current, requeued);
        List<String> published = events.toJson(JobEvent.between(current, requeued, clock.instant()));
        List<String> args = new ArrayList<>(List.of(owner, epoch, Long.toString(current.version()), current.id(),
                Integer.toString(changes.deleted().size()), Integer.toString(published.size()), RedisJobStore.HISTORY));
        args.addAll(changes.deleted());
        args.addAll(published);
        args.addAll(changes.set());
        Object done = scripts.run("requeue",
                List.of(keys.job(current.id()), keys.claimed(owner), keys.queue(), keys.eventsChannel(),
                        keys.eventHistory()), args);
        return Long.valueOf(1).equals(done);
    }

    @Override
    public List<Claim> lostClaims(Collection<Claim> claims) {
        Map<Claim, Response<List<String>>> replies = new java.util.IdentityHashMap<>();
        RedisCalls.call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (Claim claim : claims) {
                    replies.put(claim, pipeline.hmget(keys.job(claim.jobId()), "owner", "epoch", "status"));
                }
                pipeline.sync();
            }
            return null;
        });
        List<Claim> lost = new ArrayList<>();
        replies.forEach((claim, reply) -> {
            List<String> f = reply.get();
            boolean holds = claim.instance().equals(f.get(0))
                    && Long.toString(claim.epoch()).equals(f.get(1))
                    && f.get(2) != null && !JobStatus.of(f.get(2)).isFinal();
            if (!holds) {
                lost.add(claim);
            }
        });
        return lost;
    }

    @Override
    public List<String> claimedBy(String instance) {
        return RedisCalls.call(() -> redis.lrange(keys.claimed(instance), 0, -1));
    }

    @Override
    public void release(Claim claim) {
        Object released = scripts.run("release", List.of(keys.claimed(claim.instance()), keys.job(claim.jobId())),
                List.of(claim.instance(), claim.jobId(), Long.toString(claim.epoch())));
        if (Long.valueOf(2).equals(released)) {
            requeueIfOwned(claim.instance(), claim.jobId());
        }
    }

    @Override
    public List<String> requeueJobsOf(String instance, Predicate<String> which) {
        List<String> requeued = new ArrayList<>();
        for (String id : claimedBy(instance)) {
            if (which.test(id) && requeueIfOwned(instance, id)) {
                requeued.add(id);
            }
        }
        return requeued;
    }

    /**
     * Requeues the job if {@code instance} still owns it; otherwise only forgets that it claimed it. A job that cannot
     * be read fails with the reason, rather than stopping the hand-back of the others.
     */
    private boolean requeueIfOwned(String instance, String id) {
        for (int i = 0; i < REQUEUE_TRIES; i++) {
            Map<String, String> hash = RedisCalls.call(() -> redis.hgetAll(keys.job(id)));
            String status = hash.get("status");
            if (hash.get("owner") == null && "queued".equals(status)) {
                return Long.valueOf(1).equals(scripts.run("requeue_stray",
                        List.of(keys.job(id), keys.claimed(instance), keys.queue()), List.of(id)));
            }
            if (!instance.equals(hash.get("owner")) || !("queued".equals(status) || "running".equals(status))) {
                RedisCalls.call(() -> redis.lrem(keys.claimed(instance), 1, id));
                return false;
            }
            JobState current;
            try {
                current = hashes.state(id, hash);
            } catch (StoreDataException e) {
                LOG.error("job {} cannot be handed back: {}", id, e.getMessage());
                jobs.failUnreadable(id, hash, e.getMessage(), clock.instant());
                return false;
            }
            if (requeue(current, current.requeued(), instance, hash.get("epoch"))) {
                return true;
            }
        }
        LOG.warn("job {} kept changing while it was handed back to the queue; it is tried again later", id);
        return false;
    }

    private static Map<String, String> hashOf(List<?> fields) {
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            hash.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
        }
        return hash;
    }
}
