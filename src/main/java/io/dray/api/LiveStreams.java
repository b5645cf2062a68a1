package io.dray.api;

import io.dray.core.JobEvent;
import io.dray.core.JobFeed;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live streams this instance serves (log follows, event streams), woken by the job feed: one subscription per
 * instance, fanned out here to every follower of the job concerned, and no polling. Each stream that was quiet for
 * {@link #KEEP_ALIVE} gets a keep-alive, so that proxies, and Jetty's own idle timeout of 30 s, do not close it.
 */
public final class LiveStreams implements JobFeed.Listener, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(LiveStreams.class);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** A live stream as the registry drives it. */
    interface Follower {
        void wake();

        /** Sends a keep-alive if nothing was sent for that long. */
        void keepAlive(long quietNanos);

        void close();
    }

    private final JobFeed feed;
    private final ScheduledExecutorService keepAlives;
    private final Map<String, Set<LogFollower>> logFollowers = new ConcurrentHashMap<>();
    private final Set<EventFollower> eventFollowers = ConcurrentHashMap.newKeySet();
    private AutoCloseable listening;

    public LiveStreams(JobFeed feed, ScheduledExecutorService keepAlives) {
        this.feed = feed;
        this.keepAlives = keepAlives;
    }

    @Override
    public void start() {
        listening = feed.listen(this);
        long every = KEEP_ALIVE.toMillis() / 3;
        keepAlives.scheduleWithFixedDelay(this::keepAlive, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws Exception {
        if (listening != null) {
            listening.close();
        }
        closeAll();
    }

    /** Ends every stream, so that a stopping server does not wait for clients that follow forever. */
    public void closeAll() {
        logFollowers.values().forEach(followers -> followers.forEach(LogFollower::close));
        eventFollowers.forEach(EventFollower::close);
    }

    /** How many streams are open now. */
    public int size() {
        return logFollowers.values().stream().mapToInt(Set::size).sum() + eventFollowers.size();
    }

    void add(LogFollower follower) {
        logFollowers.computeIfAbsent(follower.jobId(), id -> ConcurrentHashMap.newKeySet()).add(follower);
        follower.wake();
    }

    void remove(LogFollower follower) {
        logFollowers.computeIfPresent(follower.jobId(), (id, followers) -> {
            followers.remove(follower);
            return followers.isEmpty() ? null : followers;
        });
    }

    /** The kept events after {@code afterId}: what a stream that reconnects missed. */
    JobFeed.History history(String afterId) {
        return feed.history(afterId);
    }

    void add(EventFollower follower) {
        eventFollowers.add(follower);
    }

    void remove(EventFollower follower) {
        eventFollowers.remove(follower);
    }

    @Override
    public void onEvent(JobEvent event) {
        eventFollowers.forEach(follower -> follower.offer(event));
        wakeFollowersOf(event.job());
    }

    @Override
    public void onLogGrew(String jobId) {
        wakeFollowersOf(jobId);
    }

    /** Subscribed again after a break: each follow looks once for what it missed meanwhile. */
    @Override
    public void onListening() {
        logFollowers.values().forEach(followers -> followers.forEach(LogFollower::wake));
        eventFollowers.forEach(EventFollower::resubscribed);
    }

    private void wakeFollowersOf(String jobId) {
        Set<LogFollower> followers = logFollowers.get(jobId);
        if (followers != null) {
            followers.forEach(LogFollower::wake);
        }
    }

    private void keepAlive() {
        try {
            long quiet = KEEP_ALIVE.toNanos();
            logFollowers.values().forEach(followers -> followers.forEach(follower -> follower.keepAlive(quiet)));
            eventFollowers.forEach(follower -> follower.keepAlive(quiet));
        } catch (RuntimeException e) {
            LOG.error("cannot keep the live streams alive", e);
        }
    }
}
