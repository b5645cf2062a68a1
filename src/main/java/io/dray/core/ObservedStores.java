package io.dray.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The stores with their job writes told to a {@link JobObserver}: every change of a job's state the engine writes
 * (submission, start, each step, end, cancel, requeue) goes through {@link JobStore#save}, {@link
 * JobStore#saveWithResumePoint}, {@link JobQueue#enqueue} or {@link JobQueue#requeue}, so wrapping these four observes
 * them without touching the engine. Not observed: the changes the store makes inside other calls, which are no job's
 * end or step: the hand-back of a job to the queue by {@link JobQueue#requeueJobsOf} and {@link JobQueue#release}
 * (counted by no metric), and a job failed at its claim because it could not be read (so not counted as an error).
 */
final class ObservedStores {
    private ObservedStores() {}

    static Stores of(Stores stores, JobObserver observer) {
        return new Stores(new ObservedJobStore(stores.jobs(), observer), new ObservedJobQueue(stores.queue(), observer),
                stores.logs(), stores.instances(), stores.feed(), stores.inputs(), stores.callbacks());
    }

    private record ObservedJobStore(JobStore store, JobObserver observer) implements JobStore {
        @Override
        public Optional<JobState> save(JobState current, JobState next, Claim claim) {
            Optional<JobState> saved = store.save(current, next, claim);
            saved.ifPresent(state -> observer.changed(current, state));
            return saved;
        }

        @Override
        public Optional<JobState> saveWithResumePoint(JobState current, JobState next, Claim claim, int nextStep,
                String inputPath) {
            Optional<JobState> saved = store.saveWithResumePoint(current, next, claim, nextStep, inputPath);
            saved.ifPresent(state -> observer.changed(current, state));
            return saved;
        }

        @Override
        public Optional<JobState> find(String id) {
            return store.find(id);
        }

        @Override
        public Optional<Job> definition(String id) {
            return store.definition(id);
        }

        @Override
        public JobListPage list(JobQuery query, int maxScanned) {
            return store.list(query, maxScanned);
        }

        @Override
        public Set<String> endedJobs(Collection<String> ids) {
            return store.endedJobs(ids);
        }

        @Override
        public boolean delete(String id) {
            return store.delete(id);
        }

        @Override
        public List<String> expired(Instant now, int max) {
            return store.expired(now, max);
        }

        @Override
        public void scheduleExpiries() {
            store.scheduleExpiries();
        }
    }

    private record ObservedJobQueue(JobQueue queue, JobObserver observer) implements JobQueue {
        @Override
        public boolean enqueue(Job job, JobState state, int maxQueued) {
            boolean queued = queue.enqueue(job, state, maxQueued);
            if (queued) {
                observer.changed(null, state);
            }
            return queued;
        }

        @Override
        public boolean requeue(Claim claim, JobState current, JobState requeued) {
            boolean done = queue.requeue(claim, current, requeued);
            if (done) {
                observer.changed(current, requeued);
            }
            return done;
        }

        @Override
        public long length() {
            return queue.length();
        }

        @Override
        public Optional<Claim> claimNext(String instance, Duration wait) {
            return queue.claimNext(instance, wait);
        }

        @Override
        public List<Claim> lostClaims(Collection<Claim> claims) {
            return queue.lostClaims(claims);
        }

        @Override
        public List<String> claimedBy(String instance) {
            return queue.claimedBy(instance);
        }

        @Override
        public void release(Claim claim) {
            queue.release(claim);
        }

        @Override
        public List<String> requeueJobsOf(String instance, Predicate<String> which) {
            return queue.requeueJobsOf(instance, which);
        }
    }
}
