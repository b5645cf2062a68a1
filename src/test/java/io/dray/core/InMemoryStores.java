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
public final class InMemoryStores
        implements JobStore, JobQueue, LogStore, InstanceRegistry, JobFeed, InputStore, CallbackStore {
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Map<String, Entry> jobs = new LinkedHashMap<>();
    private final Deque<String> queue = new ArrayDeque<>();
    private final Map<String, List<String>> claimed = new HashMap<>();
    private final Map<String, Instant> leases = new HashMap<>();
    /** When each job's callback is due (or its claim's lease ends), by job id. */
    private final Map<String, Instant> callbacksDue = new HashMap<>();
    /** Per job with a callback: its delivery's id and when it first was due. */
    private final Map<String, String> deliveryIds = new HashMap<>();
    private final Map<String, Instant> dueSince = new HashMap<>();
    /** Jobs' inputs, by job id: queued or not. */
    private final Map<String, java.io.ByteArrayOutputStream> inputs = new HashMap<>();
    private final Map<String, RuntimeException> failures = new HashMap<>();
    private final Map<String, Integer> heartbeats = new HashMap<>();
    private final Set<String> silenced = new HashSet<>();
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<JobEvent> history = new ArrayList<>();
    private long eventCount;
    /** How many events the history keeps; a test may make it short. */
    public int historyLimit = JobFeed.HISTORY;
    /** Every event published, in order, for assertions. */
    public final List<JobEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean unavailable;
    /** When each ended job is to be deleted, by id. */
    private final Map<String, Instant> expiries = new HashMap<>();
    private volatile Duration retention;

    private long positions;

    private static final class Entry {
        final Job job;
        long position;
        JobState state;
        String owner;
        long epoch;
        Integer nextStep;
        String input;
        final List<String> log = new ArrayList<>();
        final StringBuilder streams = new StringBuilder();
        /** Where each step's lines begin in the log, by step index. */
        final Map<Integer, Integer> stepStarts = new HashMap<>();

        Entry(Job job, JobState state) {
            this.job = job;
            this.state = state;
        }
    }

    public InMemoryStores(Clock clock) {
        this.clock = clock;
    }

    public Stores stores() {
        return new Stores(this, this, this, this, this, this, this);
    }

    /** How long a job that sets no ttl of its own is kept once it ended; null (the default) for forever. */
    public void setRetention(Duration retention) {
        this.retention = retention;
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

    /**
     * Published as the Redis scripts publish: while the store's lock is held, so in the order of the changes, each kept
     * in the history (of at most {@link #historyLimit} events) with its id.
     */
    private void publish(List<JobEvent> events) {
        published.addAll(events);
        for (JobEvent event : events) {
            JobEvent kept = event.withId(++eventCount + "-0");
            history.add(kept);
            while (history.size() > historyLimit) {
                history.remove(0);
            }
            listeners.forEach(listener -> listener.onEvent(kept));
        }
    }

    @Override
    public AutoCloseable listen(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public History history(String afterId) {
        enter("history");
        boolean known = !history.isEmpty() && JobEvent.compareIds(history.get(0).id(), afterId) <= 0
                && JobEvent.compareIds(history.get(history.size() - 1).id(), afterId) >= 0;
        return leave("history", known
                ? new History(history.stream().filter(e -> JobEvent.compareIds(e.id(), afterId) > 0).toList(), true)
                : new History(List.of(), false));
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
    public Optional<Job> definition(String id) {
        enter("definition");
        Entry entry = jobs.get(id);
        return leave("definition", entry == null ? Optional.empty() : Optional.of(entry.job.masked()));
    }

    @Override
    public JobListPage list(JobQuery query, int maxScanned) {
        enter("list");
        List<Entry> ordered = new ArrayList<>(jobs.values());
        if (query.newestFirst()) {
            java.util.Collections.reverse(ordered);
        }
        List<JobSummary> kept = new ArrayList<>();
        int scanned = 0;
        Long last = null;
        for (Entry entry : ordered) {
            if (query.after() != null && (query.newestFirst() ? entry.position >= query.after() : entry.position <= query.after())) {
                continue;
            }
            if (scanned == maxScanned) {
                break;
            }
            scanned++;
            last = entry.position;
            JobState state = entry.state;
            JobSummary job = new JobSummary(state.id(), state.name(), state.status(), state.createdAt(),
                    state.finishedAt(), entry.position);
            if (query.keeps(job)) {
                kept.add(job);
            }
        }
        return leave("list", new JobListPage(kept, scanned < maxScanned ? null : last));
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
        CallbackStatus callback = entry.state.callback();
        entry.state = next.savedAs(current.version() + 1).withCallback(callback);
        publish(JobEvent.between(current, next, clock.instant()));
        if (nextStep != null) {
            entry.nextStep = nextStep;
            entry.stepStarts.putIfAbsent(nextStep, entry.log.size());
            entry.input = inputPath;
        }
        if (next.status().isFinal()) {
            Duration ttl = entry.job.ttl() != null ? entry.job.ttl() : retention;
            if (ttl != null && next.finishedAt() != null) {
                expiries.put(current.id(), next.finishedAt().plus(ttl));
            }
            queue.remove(current.id());
            if (callback != null && callback.state() == CallbackStatus.State.WAITING) {
                Instant at = next.finishedAt() != null ? next.finishedAt() : Instant.EPOCH;
                entry.state = entry.state.withCallback(new CallbackStatus(CallbackStatus.State.PENDING, 0, null));
                callbacksDue.put(current.id(), at);
                dueSince.put(current.id(), at);
            }
            if (claim != null) {
                claimed.getOrDefault(claim.instance(), new ArrayList<>()).remove(current.id());
            }
            entry.nextStep = null;
            entry.input = null;
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
        boolean existed = jobs.remove(id) != null;
        expiries.remove(id);
        inputs.remove(id);
        callbacksDue.remove(id);
        if (existed) {
            publish(List.of(JobEvent.deleted(id, clock.instant())));
        }
        return leave("delete", existed);
    }

    @Override
    public void scheduleExpiries() {
        enter("scheduleExpiries");
        for (Entry entry : jobs.values()) {
            Duration ttl = entry.job.ttl() != null ? entry.job.ttl() : retention;
            if (!entry.state.status().isFinal() || entry.state.finishedAt() == null) {
                continue;
            }
            if (ttl == null) {
                expiries.remove(entry.state.id());
            } else {
                expiries.put(entry.state.id(), entry.state.finishedAt().plus(ttl));
            }
        }
        leave("scheduleExpiries", null);
    }

    @Override
    public List<String> expired(Instant now, int max) {
        enter("expired");
        List<String> due = expiries.entrySet().stream()
                .filter(e -> !e.getValue().isAfter(now))
                .sorted(Map.Entry.comparingByValue())
                .limit(max)
                .map(Map.Entry::getKey)
                .toList();
        List<String> expired = new ArrayList<>();
        for (String id : due) {
            if (callbacksDue.containsKey(id)) {
                expiries.put(id, now.plus(KEPT_FOR_CALLBACK));
            } else {
                expired.add(id);
            }
        }
        return leave("expired", expired);
    }

    // JobQueue

    @Override
    public boolean enqueue(Job job, JobState state, int maxQueued) {
        enter("enqueue");
        if (queue.size() >= maxQueued) {
            return leave("enqueue", false);
        }
        if (job.inputBytes() != null && (!inputs.containsKey(job.id()) || inputs.get(job.id()).size() != job.inputBytes())) {
            lock.unlock();
            throw new StoreDataException("the input of job " + job.id() + " is not all in the store", null);
        }
        Entry entry = new Entry(job, state);
        entry.position = ++positions;
        jobs.put(job.id(), entry);
        queue.addLast(job.id());
        publish(JobEvent.between(null, state, clock.instant()));
        queued.signalAll();
        return leave("enqueue", true);
    }

    @Override
    public void append(String jobId, byte[] chunk, int length) {
        enter("append");
        inputs.computeIfAbsent(jobId, id -> new java.io.ByteArrayOutputStream()).write(chunk, 0, length);
        leave("append", null);
    }

    @Override
    public boolean copyTo(String jobId, java.nio.file.Path target) throws java.io.IOException {
        enter("copyTo");
        java.io.ByteArrayOutputStream input = inputs.get(jobId);
        byte[] bytes = input == null ? null : input.toByteArray();
        leave("copyTo", null);
        if (bytes == null) {
            return false;
        }
        java.nio.file.Files.write(target, bytes);
        return true;
    }

    // CallbackStore

    @Override
    public List<String> due(Instant now, int max) {
        enter("due");
        List<String> due = callbacksDue.entrySet().stream()
                .filter(e -> !e.getValue().isAfter(now))
                .sorted(Map.Entry.comparingByValue())
                .limit(max)
                .map(Map.Entry::getKey)
                .toList();
        return leave("due", due);
    }

    @Override
    public Optional<CallbackDelivery> claim(String jobId, Instant now, Instant leaseUntil, String newDeliveryId) {
        enter("claim");
        Instant due = callbacksDue.get(jobId);
        Entry entry = jobs.get(jobId);
        if (due == null || due.isAfter(now) || entry == null) {
            if (entry == null) {
                callbacksDue.remove(jobId);
            }
            return leave("claim", Optional.empty());
        }
        callbacksDue.put(jobId, leaseUntil);
        String deliveryId = deliveryIds.computeIfAbsent(jobId, id -> newDeliveryId);
        CallbackStatus was = entry.state.callback();
        entry.state = entry.state.withCallback(new CallbackStatus(CallbackStatus.State.PENDING, was.attempts() + 1, was.lastError()));
        return leave("claim", Optional.of(new CallbackDelivery(jobId, deliveryId, was.attempts() + 1,
                dueSince.getOrDefault(jobId, now), leaseUntil, entry.job.callback(), entry.state, null)));
    }

    @Override
    public boolean delivered(CallbackDelivery delivery) {
        enter("delivered");
        return leave("delivered", record(delivery, CallbackStatus.State.DELIVERED, null, null));
    }

    @Override
    public boolean failed(CallbackDelivery delivery, String error, Instant retryAt) {
        enter("failed");
        return leave("failed", record(delivery, CallbackStatus.State.PENDING, error, retryAt));
    }

    @Override
    public boolean gaveUp(CallbackDelivery delivery, String error) {
        enter("gaveUp");
        return leave("gaveUp", record(delivery, CallbackStatus.State.FAILED, error, null));
    }

    private boolean record(CallbackDelivery delivery, CallbackStatus.State state, String error, Instant retryAt) {
        Entry entry = jobs.get(delivery.jobId());
        if (entry == null || !delivery.leaseUntil().equals(callbacksDue.get(delivery.jobId()))) {
            return false;
        }
        if (retryAt != null) {
            callbacksDue.put(delivery.jobId(), retryAt);
        } else {
            callbacksDue.remove(delivery.jobId());
        }
        entry.state = entry.state.withCallback(new CallbackStatus(state, entry.state.callback().attempts(), error));
        return true;
    }

    @Override
    public void discard(String jobId) {
        enter("discard");
        inputs.remove(jobId);
        leave("discard", null);
    }

    /** How many inputs the store keeps, of any job, queued or not. */
    public int inputCount() {
        lock.lock();
        try {
            return inputs.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the store still keeps the job's input. */
    public boolean hasInput(String jobId) {
        lock.lock();
        try {
            return inputs.containsKey(jobId);
        } finally {
            lock.unlock();
        }
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
        publish(JobEvent.between(current, requeued, clock.instant()));
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
        boolean held = entry != null && claim.instance().equals(entry.owner) && !entry.state.status().isFinal();
        if (held && entry.epoch == claim.epoch()) {
            requeueHolding(entry.state, entry.state.requeued(), claim.instance(), entry.epoch);
        } else if (!held) {
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
    public boolean append(Claim claim, List<String> lines, String streams) {
        enter("append");
        Entry entry = jobs.get(claim.jobId());
        if (entry == null || !claim.instance().equals(entry.owner) || claim.epoch() != entry.epoch) {
            return leave("append", false);
        }
        entry.log.addAll(lines);
        entry.streams.append(streams);
        listeners.forEach(listener -> listener.onLogGrew(claim.jobId()));
        return leave("append", true);
    }

    @Override
    public Optional<LogPage> read(String id, long fromIndex, int maxLines, LogFilter filter) {
        enter("read");
        Entry entry = jobs.get(id);
        if (entry == null) {
            return leave("read", Optional.empty());
        }
        long first = fromIndex;
        long last = entry.log.size();
        if (filter.step() != null) {
            Integer start = entry.stepStarts.get(filter.step());
            if (start == null) {
                return leave("read", Optional.of(new LogPage(List.of(), first, true, entry.state.status(), entry.log.size())));
            }
            first = Math.max(first, start);
            Integer nextStart = entry.stepStarts.get(filter.step() + 1);
            if (nextStart != null) {
                last = Math.min(last, nextStart);
            }
        }
        long most = Math.min(last, first + maxLines);
        List<LogLine> lines = new ArrayList<>();
        long budget = PAGE_BYTES;
        long stop = first;
        while (stop < most && budget > 0) {
            int i = (int) stop;
            LogLine line = new LogLine(i, i < entry.streams.length() ? LogStream.ofCode(entry.streams.charAt(i)) : null,
                    entry.log.get(i));
            budget -= line.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            stop++;
            if (filter.keeps(line)) {
                lines.add(line);
            }
        }
        return leave("read", Optional.of(new LogPage(lines, Math.max(first, stop), stop >= last, entry.state.status(),
                entry.log.size())));
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
        return read(id, 0, Integer.MAX_VALUE, LogFilter.ALL).orElseThrow().lines().stream().map(LogLine::text).toList();
    }
}
