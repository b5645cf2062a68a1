package io.dray.store;

import io.dray.core.JobEvent;
import io.dray.core.JobFeed;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The feed of changes through Redis Pub/Sub: one connection per instance, subscribed to the events and log channels,
 * fanned out to this instance's listeners; subscribed again, on a new connection, whenever it breaks. A connection
 * that died without a word (a half-open TCP connection, behind a NAT that forgot it) is found by a PING every
 * {@link #PING_EVERY}, answered or not. What is published while it is not subscribed is missed: listeners are told
 * when it listens again ({@link Listener#onListening()}).
 */
public final class RedisJobFeed implements JobFeed, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobFeed.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    static final Duration PING_EVERY = Duration.ofSeconds(10);

    /** Trimming keeps "about" {@link JobFeed#HISTORY} events: some more may be kept, and answered. */
    static final int MAX_ANSWERED = JobFeed.HISTORY + 1_000;

    private final Supplier<Jedis> connections;
    private final RedisScripts scripts;
    private final RedisKeys keys;
    private final EventCodec events;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Subscriber subscriber = new Subscriber();
    private volatile boolean running;
    private volatile Jedis connection;
    private volatile long lastPong = System.nanoTime();
    private Thread thread;
    private Thread watchdog;

    RedisJobFeed(Supplier<Jedis> connections, RedisScripts scripts, RedisKeys keys, EventCodec events) {
        this.connections = connections;
        this.scripts = scripts;
        this.keys = keys;
        this.events = events;
    }

    @Override
    public AutoCloseable listen(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public History history(String afterId) {
        List<?> answer = (List<?>) scripts.run("history", List.of(keys.eventHistory()),
                List.of(afterId, Integer.toString(MAX_ANSWERED)));
        if (!Long.valueOf(1).equals(answer.get(0))) {
            return new History(List.of(), false);
        }
        List<JobEvent> kept = new ArrayList<>(answer.size() / 2);
        for (int i = 1; i + 1 < answer.size(); i += 2) {
            kept.add(events.fromJson(String.valueOf(answer.get(i + 1))).withId(String.valueOf(answer.get(i))));
        }
        return new History(kept, true);
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::subscribeWhileRunning, "job-feed");
        thread.setDaemon(true);
        thread.start();
        watchdog = new Thread(this::pingWhileRunning, "job-feed-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Pings the subscription; one left unanswered for two more rounds means the connection died: break it. */
    private void pingWhileRunning() {
        while (running) {
            try {
                Thread.sleep(PING_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Jedis current = connection;
            if (current == null || !subscriber.isSubscribed()) {
                continue;
            }
            if (System.nanoTime() - lastPong > PING_EVERY.multipliedBy(3).toNanos()) {
                LOG.warn("the job feed's connection to Redis stopped answering; connecting again");
                current.disconnect();
                continue;
            }
            try {
                subscriber.ping();
            } catch (RuntimeException e) {
                current.disconnect();
            }
        }
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        Jedis current = connection;
        if (current != null) {
            current.disconnect(); // ends the subscription's blocking read
        }
        if (thread != null) {
            thread.interrupt();
            thread.join(RETRY.toMillis() * 5);
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }

    private void subscribeWhileRunning() {
        while (running) {
            try (Jedis jedis = connections.get()) {
                connection = jedis;
                lastPong = System.nanoTime();
                jedis.subscribe(subscriber, keys.eventsChannel(), keys.logChannel());
            } catch (JedisException e) {
                if (running) {
                    LOG.warn("the job feed lost Redis, subscribing again: {}", e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.error("the job feed failed, subscribing again", e);
            } finally {
                connection = null;
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private final class Subscriber extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            if (subscribedChannels == 2) {
                listeners.forEach(Listener::onListening);
            }
        }

        @Override
        public void onPong(String pattern) {
            lastPong = System.nanoTime();
        }

        @Override
        public void onMessage(String channel, String message) {
            try {
                if (channel.equals(keys.logChannel())) {
                    listeners.forEach(listener -> listener.onLogGrew(message));
                } else {
                    var event = events.fromJson(message);
                    listeners.forEach(listener -> listener.onEvent(event));
                }
            } catch (RuntimeException e) {
                LOG.error("a listener of the job feed failed on {}", message, e);
            }
        }
    }
}
