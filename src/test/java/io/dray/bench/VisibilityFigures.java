package io.dray.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.Step;
import io.dray.core.Stores;
import io.dray.store.RedisFactory;
import io.dray.store.RedisStores;
import io.dray.store.SecretCipher;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dropwizard.jackson.Jackson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.UnifiedJedis;

/**
 * The figures of seeing jobs: many clients following one log, the whole job list, and the retention sweep. Their
 * Dray processes are the bench's (followers) or of their own, under prefixes of their own, filled straight through the
 * store (a hundred thousand jobs through the API would take the bench minutes, and it is the list that is measured).
 */
final class VisibilityFigures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final DrayBench bench;
    private final String redisUrl;
    private final Path data;

    VisibilityFigures(DrayBench bench, String redisUrl, Path data) {
        this.bench = bench;
        this.redisUrl = redisUrl;
        this.data = data;
    }

    /**
     * 1,000 clients follow one job's log over SSE from its first line to its end: every client must get every line
     * and the end; the rate is lines delivered per second over all of them.
     */
    void followers(DrayProcess dray, DrayClient client, DrayClient admin) throws Exception {
        int followers = 1000;
        int lines = 20_000;
        String id = client.submit(DrayClient.scriptJob("sleep 3; seq 1 " + lines));
        Map<Integer, AtomicLong> received = new ConcurrentHashMap<>();
        List<CompletableFuture<HttpResponse<Void>>> streams = new ArrayList<>();
        long heapBefore = bench.liveHeap();
        for (int i = 0; i < followers; i++) {
            AtomicLong count = new AtomicLong();
            received.put(i, count);
            HttpRequest request = HttpRequest.newBuilder(URI.create(dray.url("/jobs/" + id + "/log?follow=true")))
                    .header("Accept", "text/event-stream").build();
            streams.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(
                    new LineCounter(count), subscriber -> null, "\n")));
        }
        Duration cpuBefore = dray.cpuTime();
        long t = System.nanoTime();
        long peakHeap = heapBefore;
        // What the followers hold, not the garbage they leave: the heap right after a full GC, every second.
        while (!CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).isDone()) {
            Thread.sleep(1000);
            peakHeap = Math.max(peakHeap, bench.liveHeap());
            DrayBench.check(System.nanoTime() - t < Duration.ofMinutes(5).toNanos(), "followers did not end in 5 minutes");
        }
        double seconds = DrayBench.seconds(t);
        double cpu = (dray.cpuTime().toMillis() - cpuBefore.toMillis()) / 1000.0;
        for (AtomicLong count : received.values()) {
            DrayBench.check(count.get() == lines + 1, "a follower got " + count.get() + " of " + (lines + 1) + " events");
        }
        double rate = (double) followers * lines / seconds;
        double heap = (peakHeap - heapBefore) / 1048576.0;
        bench.row("followers", followers + " SSE clients follow one job's " + lines + " lines to its end",
                DrayBench.fmt(rate) + " lines/s, " + DrayBench.fmt(cpu) + " s of CPU, live heap +" + DrayBench.fmt(heap)
                        + " MB", "-", "-", "every line to every client, ≥ 100,000 lines/s, live heap < 64 MB",
                rate >= 100_000 && heap < 64);
    }

    /** Counts the SSE events of a stream: lines and the end. */
    private static final class LineCounter implements java.util.concurrent.Flow.Subscriber<String> {
        private final AtomicLong count;

        LineCounter(AtomicLong count) {
            this.count = count;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.startsWith("event: ")) {
                count.incrementAndGet();
            }
        }

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onComplete() {
        }
    }

    /** GET /jobs over 100,000 jobs: how long the whole answer takes, and what it costs the heap. */
    void list() throws Exception {
        int jobs = 100_000;
        String prefix = "dray-bench-list-" + UUID.randomUUID() + ":";
        fill(prefix, jobs, null);
        try (DrayProcess apiOnly = DrayProcess.start(redisUrl, prefix, Map.of("workers", "0",
                "dataDirectory", data.toString()))) {
            DrayClient client = new DrayClient(apiOnly.url(""));
            DrayClient admin = new DrayClient(apiOnly.adminUrl(""));
            client.get("/jobs?limit=10"); // the route's first call loads its classes
            long t = System.nanoTime();
            HttpResponse<Void> timed = HTTP.send(HttpRequest.newBuilder(URI.create(apiOnly.url("/jobs"))).build(),
                    HttpResponse.BodyHandlers.discarding());
            double seconds = DrayBench.seconds(t);
            DrayBench.check(timed.statusCode() == 200, "GET /jobs answered " + timed.statusCode());
            // Once more, for the heap: what the answer holds, right after a full GC, twice a second.
            long before = DrayBench.liveHeap(admin);
            long peak = before;
            CompletableFuture<HttpResponse<Void>> answer = HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(apiOnly.url("/jobs"))).build(), HttpResponse.BodyHandlers.discarding());
            while (!answer.isDone()) {
                peak = Math.max(peak, DrayBench.liveHeap(admin));
                Thread.sleep(500);
            }
            JsonNode list = JSON.readTree(client.get("/jobs").body());
            DrayBench.check(list.size() == jobs, "GET /jobs listed " + list.size() + " of " + jobs);
            double growth = (peak - before) / 1048576.0;
            bench.row("job list", "GET /jobs over " + jobs + " jobs, the whole answer", DrayBench.fmt(seconds) + " s, live heap +"
                    + DrayBench.fmt(growth) + " MB", "-", "-", "≤ 5 s, live heap growth < 32 MB", seconds <= 5 && growth < 32);
        } finally {
            forget(prefix);
        }
    }

    /** How fast ended jobs past their retention are deleted, by one instance (the scale figure's number of jobs). */
    void retention(int jobs) throws Exception {
        String prefix = "dray-bench-retention-" + UUID.randomUUID() + ":";
        fill(prefix, jobs, Duration.ofSeconds(1));
        Thread.sleep(1000); // every job is due now
        long t = System.nanoTime();
        try (DrayProcess sweeper = DrayProcess.start(redisUrl, prefix, Map.of("workers", "0", "retention", "1s",
                "dataDirectory", data.toString()))) {
            DrayClient admin = new DrayClient(sweeper.adminUrl(""));
            while (expired(admin) < jobs) {
                Thread.sleep(100);
                DrayBench.check(System.nanoTime() - t < Duration.ofMinutes(30).toNanos(), "expired jobs left after 30 minutes");
            }
            // From the sweeper's launch: its start-up (and its first look, a second in) counts against it.
            double rate = jobs / DrayBench.seconds(t);
            DrayClient client = new DrayClient(sweeper.url(""));
            DrayBench.check(JSON.readTree(client.get("/jobs").body()).isEmpty(), "expired jobs still listed");
            bench.row("retention", jobs + " ended jobs past their retention, deleted by one instance",
                    DrayBench.fmt(rate) + " jobs/s", "-", "-", "≥ 1,000 jobs/s", rate >= 1000);
        } finally {
            forget(prefix);
        }
    }

    /** Removes a figure's keys: a bench run leaves nothing in the shared Redis. */
    private void forget(String prefix) {
        try (BenchRedis redis = new BenchRedis(redisUrl)) {
            redis.delete(prefix);
        }
    }

    private static long expired(DrayClient admin) throws Exception {
        return JSON.readTree(admin.get("/metrics").body()).get("meters").get("jobs.expired").get("count").asLong();
    }

    /**
     * Saves jobs through the store, as Dray does: queued, or with a retention, cancelled at once (so that they end and
     * become due after it).
     */
    private void fill(String prefix, int jobs, Duration retention) throws Exception {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(redisUrl);
        try (UnifiedJedis redis = factory.build()) {
            Stores stores = RedisStores.create(redis, factory.dedicatedConnections(redis), prefix, Jackson.newObjectMapper(),
                    new SecretCipher(new byte[32]), Clock.systemUTC(), retention);
            List<Step> steps = List.of(new Step("list", "dray-example/sh", List.of(), null, false, null, null));
            for (int i = 0; i < jobs; i++) {
                Job job = new Job(UUID.randomUUID().toString(), "bench-" + i, List.of(), steps);
                JobState queued = JobState.queued(job, Instant.now());
                DrayBench.check(stores.queue().enqueue(job, queued, Integer.MAX_VALUE), "job " + i + " not queued");
                if (retention != null) {
                    stores.jobs().save(queued, queued.cancelled("bench", Instant.now()), null);
                }
            }
        }
    }
}
