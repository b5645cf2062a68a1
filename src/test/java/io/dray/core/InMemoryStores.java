package io.dray.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Every store in memory, with the same meaning as the Redis ones ({@link StoresContract} holds both to it), so that the
 * engine's logic is tested in milliseconds. A test can make it unavailable, or make one operation fail once.
 */
public final class InMemoryStores implements JobStore, JobQueue, LogStore, InstanceRegistry {
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Map<String, Entry> jobs = new LinkedHashMap<>();
    private final Deque<String> queue = new ArrayDeque<>();
    private final Map<String, List<String>> claimed = new HashMap<>();
    private final Map<String, Instant> leases = new HashMap<>();
    private final Map<String, RuntimeException> failures = new HashMap<>();
    private final Map<String, Integer> heartbeats = new HashMap<>();
    private final Set<String> silenced = new HashSet<>();
    private volatile boolean unavailable;

    private static final class Entry {
        final Job job;
        JobState state;
        String owner;
        long epoch;
        Integer nextStep;
        String input;
        Integer logMark;
        final List<String> log = new ArrayList<>();

        Entry(Job job, JobState state) {
            this.job = job;
            this.state = state;
        }
    }

    public InMemoryStores(Clock clock) {
        this.clock = clock;
    }

    public Stores stores() {
        return new Stores(this, this, this, this);
    }

    /** While set, every operation throws {@link StoreUnavailableException}, as a Redis that is down does. */
    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    /**
     * The next call of the operation (a method name: {@code save}, {@code claimNext}...) throws this, once. With
     * {@code afterDoing}, the operation is done first and then throws, as when Redis ran a script and the answer was
     * lost with the connection.
     */
    public void failNext(String operation, RuntimeException failure) {
        lock.lock();
        try {
            failures.put(operation, failure);
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #failNext}, after doing the operation. */
    public void failNextAfterDoing(String operation, RuntimeException failure) {
        failNext(operation + ":after", failure);
    }

    private void enter(String operation) {
        lock.lock();
        if (unavailable) {
            lock.unlock();
            throw new StoreUnavailableException("in-memory store made unavailable by the test", null);
        }
        RuntimeException failure = failures.remove(operation);
        if (failure != null) {
            lock.unlock();
            throw failure;
        }
    }

    private <T> T leave(String operation, T result) {
        RuntimeException failure = failures.remove(operation + ":after");
        lock.unlock();
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    // JobStore

    @Override
    public Optional<JobState> find(String id) {
        enter("find");
        Entry entry = jobs.get(id);
        return leave("find", entry == null ? Optional.empty() : Optional.of(entry.state));
    }

    @Override
    public List<String> listIds() {
        enter("listIds");
        return leave("listIds", List.copyOf(jobs.keySet()));
    }

    @Override
    public Set<String> endedJobs(Collection<String> ids) {
        enter("endedJobs");
        Set<String> ended = new HashSet<>();
        for (String id : ids) {
            Entry entry = jobs.get(id);
            if (entry == null || entry.state.status().isFinal()) {
                ended.add(id);
            }
        }
        return leave("endedJobs", ended);
    }

    @Override
    public Optional<JobState> save(JobState current, JobState next, Claim claim) {
        enter("save");
        return leave("save", saveHolding(current, next, claim, null, null));
    }

    @Override
    public Optional<JobState> saveWithResumePoint(JobState current, JobState next, Claim claim, int nextStep,
            String inputPath) {
        enter("saveWithResumePoint");
        return leave("saveWithResumePoint", saveHolding(current, next, claim, nextStep, inputPath));
    }

    private Optional<JobState> saveHolding(JobState current, JobState next, Claim claim, Integer nextStep,
            String inputPath) {
        Entry entry = jobs.get(current.id());
        if (entry == null || entry.state.status().isFinal() || (claim != null && !holds(entry, claim))
                || entry.state.version() != current.version()) {
            return Optional.empty();
        }
        entry.state = next.savedAs(current.version() + 1);
        if (nextStep != null) {
            entry.nextStep = nextStep;
            entry.logMark = entry.log.size();
            entry.input = inputPath;
        }
        if (next.status().isFinal()) {
            queue.remove(current.id());
            if (claim != null) {
                claimed.getOrDefault(claim.instance(), new ArrayList<>()).remove(current.id());
            }
            entry.nextStep = null;
            entry.input = null;
            entry.logMark = null;
        }
        return Optional.of(entry.state);
    }

    private static boolean holds(Entry entry, Claim claim) {
        return claim.instance().equals(entry.owner) && claim.epoch() == entry.epoch && !entry.state.status().isFinal();
    }

    @Override
    public boolean delete(String id) {
        enter("delete");
        queue.remove(id);
        return leave("delete", jobs.remove(id) != null);
    }

    // JobQueue

    @Override
    public boolean enqueue(Job job, JobState state, int maxQueued) {
        enter("enqueue");
        if (queue.size() >= maxQueued) {
            return leave("enqueue", false);
        }
        jobs.put(job.id(), new Entry(job, state));
        queue.addLast(job.id());
        queued.signalAll();
        return leave("enqueue", true);
    }

    @Override
    public long length() {
        enter("length");
        return leave("length", (long) queue.size());
    }

    @Override
    public Optional<Claim> claimNext(String instance, Duration wait) {
        enter("claimNext");
        try {
            long nanos = wait.toNanos();
            while (queue.isEmpty() && nanos > 0) {
                nanos = queued.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return leave("claimNext", Optional.empty());
        }
        while (!queue.isEmpty()) {
            String id = queue.removeFirst();
            Entry entry = jobs.get(id);
            if (entry == null || entry.state.status() != JobStatus.QUEUED) {
                continue;
            }
            claimed.computeIfAbsent(instance, key -> new ArrayList<>()).add(id);
            entry.owner = instance;
            entry.epoch++;
            entry.state = entry.state.savedAs(entry.state.version() + 1);
            if (entry.logMark != null) {
                entry.log.subList(entry.logMark, entry.log.size()).clear();
            }
            return leave("claimNext", Optional.of(new Claim(entry.job, entry.state, instance, entry.epoch, entry.input)));
        }
        return leave("claimNext", Optional.empty());
    }

    @Override
    public boolean requeue(Claim claim, JobState current, JobState requeued) {
        enter("requeue");
        return leave("requeue", requeueHolding(current, requeued, claim.instance(), claim.epoch()));
    }

    private boolean requeueHolding(JobState current, JobState requeued, String owner, long epoch) {
        Entry entry = jobs.get(current.id());
        if (entry == null || !owner.equals(entry.owner) || entry.epoch != epoch
                || entry.state.version() != current.version()
                || !(entry.state.status() == JobStatus.QUEUED || entry.state.status() == JobStatus.RUNNING)) {
            return false;
        }
        entry.state = requeued.savedAs(current.version() + 1);
        entry.owner = null;
        claimed.getOrDefault(owner, new ArrayList<>()).remove(current.id());
        queue.addFirst(current.id());
        queued.signalAll();
        return true;
    }

    @Override
    public List<Claim> lostClaims(Collection<Claim> claims) {
        enter("lostClaims");
        List<Claim> lost = new ArrayList<>();
        for (Claim claim : claims) {
            Entry entry = jobs.get(claim.jobId());
            if (entry == null || !holds(entry, claim)) {
                lost.add(claim);
            }
        }
        return leave("lostClaims", lost);
    }

    @Override
    public List<String> claimedBy(String instance) {
        enter("claimedBy");
        return leave("claimedBy", List.copyOf(claimed.getOrDefault(instance, List.of())));
    }

    @Override
    public void release(Claim claim) {
        enter("release");
        Entry entry = jobs.get(claim.jobId());
        boolean claimedAgain = entry != null && claim.instance().equals(entry.owner) && entry.epoch != claim.epoch()
                && !entry.state.status().isFinal();
        if (!claimedAgain) {
            claimed.getOrDefault(claim.instance(), new ArrayList<>()).remove(claim.jobId());
        }
        leave("release", null);
    }

    @Override
    public List<String> requeueJobsOf(String instance, Predicate<String> which) {
        enter("requeueJobsOf");
        List<String> requeued = new ArrayList<>();
        for (String id : List.copyOf(claimed.getOrDefault(instance, List.of()))) {
            if (!which.test(id)) {
                continue;
            }
            Entry entry = jobs.get(id);
            if (entry != null && instance.equals(entry.owner)
                    && (entry.state.status() == JobStatus.QUEUED || entry.state.status() == JobStatus.RUNNING)) {
                requeueHolding(entry.state, entry.state.requeued(), instance, entry.epoch);
                requeued.add(id);
            } else {
                claimed.get(instance).remove(id);
            }
        }
        return leave("requeueJobsOf", requeued);
    }

    // LogStore

    @Override
    public boolean append(Claim claim, List<String> lines) {
        enter("append");
        Entry entry = jobs.get(claim.jobId());
        if (entry == null || !claim.instance().equals(entry.owner) || claim.epoch() != entry.epoch) {
            return leave("append", false);
        }
        entry.log.addAll(lines);
        return leave("append", true);
    }

    @Override
    public Optional<List<String>> read(String id, long fromIndex, int maxLines) {
        enter("read");
        Entry entry = jobs.get(id);
        if (entry == null) {
            return leave("read", Optional.empty());
        }
        int from = (int) Math.min(fromIndex, entry.log.size());
        int to = (int) Math.min((long) from + maxLines, entry.log.size());
        return leave("read", Optional.of(List.copyOf(entry.log.subList(from, to))));
    }

    // InstanceRegistry

    @Override
    public void heartbeat(String instance, Duration leaseTime) {
        enter("heartbeat");
        if (!silenced.contains(instance)) {
            leases.put(instance, clock.instant().plus(leaseTime));
            heartbeats.merge(instance, 1, Integer::sum);
        }
        leave("heartbeat", null);
    }

    /** From now on the instance's heartbeats are lost, as if it were cut off from the store (its other calls pass). */
    public void silence(String instance) {
        lock.lock();
        try {
            silenced.add(instance);
        } finally {
            lock.unlock();
        }
    }

    /** How many heartbeats of the instance arrived. */
    public int heartbeatsOf(String instance) {
        lock.lock();
        try {
            return heartbeats.getOrDefault(instance, 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<String> live() {
        enter("live");
        Set<String> live = new HashSet<>();
        leases.forEach((instance, until) -> {
            if (clock.instant().isBefore(until)) {
                live.add(instance);
            }
        });
        return leave("live", live);
    }

    @Override
    public Set<String> dead() {
        enter("dead");
        Set<String> dead = new HashSet<>();
        leases.forEach((instance, until) -> {
            if (!clock.instant().isBefore(until)) {
                dead.add(instance);
            }
        });
        return leave("dead", dead);
    }

    @Override
    public void forget(String instance) {
        enter("forget");
        Instant lease = leases.get(instance);
        if (lease != null && !clock.instant().isBefore(lease) && claimed.getOrDefault(instance, List.of()).isEmpty()) {
            leases.remove(instance);
            claimed.remove(instance);
        }
        leave("forget", null);
    }

    @Override
    public void retire(String instance) {
        enter("retire");
        if (claimed.getOrDefault(instance, List.of()).isEmpty()) {
            leases.remove(instance);
            claimed.remove(instance);
        } else {
            leases.put(instance, Instant.MIN);
        }
        leave("retire", null);
    }

    /** The lines written to the job's log, for assertions. */
    public List<String> log(String id) {
        return read(id, 0, Integer.MAX_VALUE).orElseThrow();
    }
}
