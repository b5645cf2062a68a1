package io.dray.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deep queue: many one-step jobs submitted to an API-only instance, what they take in Redis, then how fast an
 * instance with 4 workers drains that queue. The rest of the queue is removed, not run: at a few jobs a second,
 * 100,000 containers would take hours.
 */
final class ScaleFigures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SUBMITTERS = 16;
    private final DrayBench bench;
    private final String redisUrl;
    private final Path data;
    private final List<String> jvmOptions;

    ScaleFigures(DrayBench bench, String redisUrl, Path data, List<String> jvmOptions) {
        this.bench = bench;
        this.redisUrl = redisUrl;
        this.data = data;
        this.jvmOptions = jvmOptions;
    }

    /**
     * @param floor a round of the thin floor's throughput, in jobs/s, which the drain rate is held to: one right
     *     before the drain and one right after, so that the ratio compares minutes next to each other, as every other
     *     ratio does
     */
    void run(int jobs, Callable<Double> floor) throws Exception {
        String prefix = "dray-bench-scale-" + UUID.randomUUID() + ":";
        Duration drain = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("BENCH_DRAIN_SECONDS", "60")));
        try (BenchRedis redis = new BenchRedis(redisUrl)) {
            try {
                double submitRate;
                try (DrayProcess api = DrayProcess.start(redisUrl, prefix, "unix:///var/run/docker.sock",
                        Map.of("workers", "0", "maxQueuedJobs", Integer.toString(jobs + 1),
                                "dataDirectory", data.toString()), "", jvmOptions)) {
                    submitRate = submit(new DrayClient(api.url("")), jobs);
                    api.terminate(Duration.ofSeconds(60));
                }
                BenchRedis.Usage usage = redis.usage(prefix);
                double drainRate;
                double floorBefore = floor.call();
                try (DrayProcess workers = DrayProcess.start(redisUrl, prefix, "unix:///var/run/docker.sock",
                        Map.of("workers", "4", "maxQueuedJobs", Integer.toString(jobs + 1),
                                "dataDirectory", data.toString()), "", jvmOptions)) {
                    DrayClient admin = new DrayClient(workers.adminUrl(""));
                    long before = ended(admin).all();
                    long t = System.nanoTime();
                    Thread.sleep(drain.toMillis());
                    Ended ended = ended(admin);
                    drainRate = (ended.all() - before) / DrayBench.seconds(t);
                    DrayBench.check(ended.failed() == 0, ended.failed() + " drained jobs failed");
                    workers.terminate(Duration.ofSeconds(60));
                }
                double floorAfter = floor.call();
                double floorRate = (floorBefore + floorAfter) / 2;
                bench.row("scale: submit", jobs + " one-step jobs, " + SUBMITTERS + " clients, to an API-only instance",
                        DrayBench.fmt(submitRate) + " jobs/s", "-", "-", "-", "-", "all accepted",
                        "met");
                bench.row("scale: Redis per job", "MEMORY USAGE of every key under the prefix, " + usage.keys()
                        + " keys, per queued job", DrayBench.fmt((double) usage.bytes() / jobs) + " bytes", "-", "-",
                        "-", "-", "≤ 2,048 bytes", DrayBench.verdict(usage.bytes() <= 2048L * jobs));
                bench.row("scale: drain", "jobs ended per second by 4 workers, " + drain.toSeconds() + " s into a queue"
                                + " of " + jobs + "; the thin floor: a round of 40 jobs, 4 at a time, right before and"
                                + " one right after", DrayBench.fmt(drainRate) + " jobs/s",
                        DrayBench.fmt(floorRate) + " jobs/s (" + DrayBench.fmt(floorBefore) + ", "
                                + DrayBench.fmt(floorAfter) + ")", DrayBench.fmt(drainRate / floorRate) + "×", "-", "-",
                        "≥ 0.95×", DrayBench.verdict(drainRate / floorRate >= 0.95));
            } finally {
                redis.delete(prefix);
            }
        }
    }

    private static double submit(DrayClient client, int jobs) throws Exception {
        String job = DrayClient.scriptJob("true");
        AtomicLong refused = new AtomicLong();
        ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
        long t = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            submitters.execute(() -> {
                try {
                    if (client.post("/jobs", HttpRequest.BodyPublishers.ofString(job)).statusCode() != 201) {
                        refused.incrementAndGet();
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
            });
        }
        submitters.shutdown();
        DrayBench.check(submitters.awaitTermination(1, TimeUnit.HOURS), "submissions still running after an hour");
        double rate = jobs / DrayBench.seconds(t);
        DrayBench.check(refused.get() == 0, refused.get() + " of " + jobs + " submissions refused");
        return rate;
    }

    /** Jobs that ended on an instance, as one read of its metrics counts them (two reads would race new ends). */
    private record Ended(long completed, long failed) {
        long all() {
            return completed + failed;
        }
    }

    private static Ended ended(DrayClient admin) throws Exception {
        var meters = JSON.readTree(admin.get("/metrics").body()).get("meters");
        return new Ended(meters.get("jobs.completed").get("count").asLong(),
                meters.get("jobs.failed").get("count").asLong());
    }
}
