package io.dray.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.docker.DirectDocker;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * scripts/bench: Dray against the same work done straight on the Docker Engine API from this process, in one run, so
 * that ratios hold on a noisy machine. A run that fails or loses data is reported as a failure, not as a figure.
 */
public final class DrayBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final int WORKERS = 4;
    private static final int WARM_UP_JOBS = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARM_UP_JOBS", "500"));
    private static final Duration POLL = Duration.ofMillis(20);
    private static final String SH = TestDocker.SH;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private DrayProcess dray;
    private DrayClient client;
    private DrayClient admin;
    private DirectDocker direct;

    private final Set<String> figures;

    private DrayBench(Set<String> figures) {
        this.figures = figures;
    }

    /**
     * Environment: BENCH_SCALE_JOBS (default 10000), BENCH_FIGURES (comma-separated subset of latency, throughput,
     * data, log, api, startup, scale, followers, list, retention; default all), BENCH_JFR (a file: the Dray process records a JFR profile there),
     * BENCH_JVM_OPTIONS (more options for the Dray process's JVM), BENCH_WARM_UP_JOBS (default 500).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String only = env.getOrDefault("BENCH_FIGURES", "");
        new DrayBench(only.isBlank() ? Set.of("latency", "throughput", "data", "log", "api", "startup", "scale",
                "followers", "list", "retention")
                : Set.of(only.split("\\s*,\\s*")))
                .run(Integer.parseInt(env.getOrDefault("BENCH_SCALE_JOBS", "10000")), env.get("BENCH_JFR"));
        System.exit(0);
    }

    private void run(int scaleJobs, String jfrFile) throws Exception {
        TestDocker.buildImages();
        Path data = Files.createTempDirectory("dray-bench-");
        List<String> shipped = new ArrayList<>();
        // Started the way scripts/run starts it: with the class-data archive scripts/bench makes.
        Path classArchive = Path.of("target", "dray.jsa");
        if (Files.isRegularFile(classArchive)) {
            shipped.add("-XX:SharedArchiveFile=" + classArchive.toAbsolutePath());
        } else {
            notes.add("start-up measured without a class-data archive (target/dray.jsa is missing)");
        }
        String extraOptions = System.getenv().getOrDefault("BENCH_JVM_OPTIONS", "").trim();
        if (!extraOptions.isEmpty()) {
            shipped.addAll(List.of(extraOptions.split("\\s+")));
            notes.add("the Dray process ran with the JVM options " + extraOptions);
        }
        List<String> jvmOptions = new ArrayList<>(shipped);
        if (jfrFile != null) {
            jvmOptions.add("-XX:FlightRecorderOptions:stackdepth=256");
            jvmOptions.add("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(jfrFile).toAbsolutePath());
        }
        dray = startDray(data, jvmOptions);
        double firstStartUp = dray.startUp().toNanos() / 1e9;
        client = new DrayClient(dray.url(""));
        admin = new DrayClient(dray.adminUrl(""));
        direct = new DirectDocker();
        try {
            warmUp();
            when("latency", this::latency);
            when("throughput", this::throughput);
            when("data", this::dataPassing);
            when("log", this::logIngest);
            when("api", this::apiReads);
            when("startup", () -> startUp(firstStartUp, data, shipped));
            when("scale", () -> scale(scaleJobs));
            VisibilityFigures visibility = new VisibilityFigures(this, REDIS, data);
            when("followers", () -> visibility.followers(dray, client, admin));
            when("list", visibility::list);
            when("retention", visibility::retention);
        } finally {
            direct.close();
            try {
                // A SIGTERM, so that the JVM writes a JFR recording or a profiling agent's output on the way out.
                dray.terminate(Duration.ofSeconds(60));
            } finally {
                dray.close();
            }
        }
        print();
    }

    private DrayProcess startDray(Path data, List<String> jvmOptions) throws Exception {
        return DrayProcess.start(REDIS, "dray-bench-" + UUID.randomUUID() + ":", "unix:///var/run/docker.sock",
                Map.of("workers", Integer.toString(WORKERS), "dataDirectory", data.toString(), "maxQueuedJobs", "100000"),
                "security:\n  maxLogLines: 1000000\n", jvmOptions);
    }

    /** The first start-up and four more, one after the other: one start-up swings by a second here. */
    private void startUp(double first, Path data, List<String> jvmOptions) throws Exception {
        List<Double> runs = new ArrayList<>(List.of(first));
        for (int i = 0; i < 4; i++) {
            DrayProcess another = startDray(data, jvmOptions);
            try {
                runs.add(another.startUp().toNanos() / 1e9);
                another.terminate(Duration.ofSeconds(60));
            } finally {
                another.close();
            }
        }
        double m = median("start-up s", runs);
        row("start-up", "process start to healthy admin health check, median of 5", fmt(m) + " s", "-", "-", "≤ 3 s",
                m <= 3);
    }

    private interface Figure {
        void measure() throws Exception;
    }

    private void when(String figure, Figure measure) throws Exception {
        if (figures.contains(figure)) {
            measure.measure();
        }
    }

    /**
     * Both sides run 500 jobs first (BENCH_WARM_UP_JOBS): a JVM measured cold pays for its JIT. On two cores Dray's
     * compiler threads still take as much CPU per job as dockerd after 400 jobs (some 9,000 methods compiled), and
     * that CPU is the containers'; Docker's first containers start slower too.
     */
    private void warmUp() throws Exception {
        String job = DrayClient.scriptJob("echo warm");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < WARM_UP_JOBS; i++) {
            ids.add(client.submit(job));
        }
        for (String id : ids) {
            awaitEnd(id, 60);
        }
        for (int i = 0; i < WARM_UP_JOBS; i++) {
            direct.run(SH, Map.of("SCRIPT", "echo warm"), null, null, null, true);
        }
    }

    private void latency() throws Exception {
        String job = Files.readString(Path.of("examples/word-job.json"));
        List<Double> viaDray = new ArrayList<>();
        List<Double> viaDocker = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            long t = System.nanoTime();
            String id = client.submit(job);
            JsonNode end = awaitEnd(id, 5);
            double d = seconds(t);
            check(end.get("status").asText().equals("complete") && client.log(id).size() == 30, "word job " + id);
            t = System.nanoTime();
            byte[] words = direct.run("dray-example/randword", Map.of("WORD_COUNT", "10"), null, null, null, true).stdout();
            byte[] upper = direct.run("dray-example/upper", Map.of(), DirectDocker.bytes(words), null, null, true).stdout();
            byte[] reversed = direct.run("dray-example/reverse", Map.of(), DirectDocker.bytes(upper), null, null, true).stdout();
            double e = seconds(t);
            check(new String(reversed, StandardCharsets.UTF_8).lines().count() == 10, "direct word job");
            if (i >= 3) {
                viaDray.add(d);
                viaDocker.add(e);
            }
        }
        double m = median("latency dray s", viaDray);
        double n = median("latency direct s", viaDocker);
        row("latency", "3-step word job, median of 10, submit to complete", fmt(m * 1000) + " ms", fmt(n * 1000) + " ms",
                fmt(m / n) + "×", "≤ 1.05×", m / n <= 1.05);
    }

    private void throughput() throws Exception {
        String job = DrayClient.scriptJob("echo hi");
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        // Alternating rounds, medians: one round's rate swings with whatever else the machine does meanwhile.
        List<Double> viaDrayRounds = new ArrayList<>();
        List<Double> viaDockerRounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            long t = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add(client.submit(job));
            }
            for (String id : ids) {
                check(awaitEnd(id, 20).get("status").asText().equals("complete"), "throughput job " + id);
            }
            viaDrayRounds.add(40 / seconds(t));
            t = System.nanoTime();
            List<Future<DirectDocker.Result>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(pool.submit(() -> direct.run(SH, Map.of("SCRIPT", "echo hi"), null, null, null, true)));
            }
            for (Future<DirectDocker.Result> r : results) {
                check(r.get().exitCode() == 0, "direct throughput job");
            }
            viaDockerRounds.add(40 / seconds(t));
        }
        pool.shutdown();
        double viaDray = median("throughput dray jobs/s", viaDrayRounds);
        double viaDocker = median("throughput direct jobs/s", viaDockerRounds);
        row("throughput", "40 one-step jobs at once, " + WORKERS + " in parallel, median of 5", fmt(viaDray) + " jobs/s",
                fmt(viaDocker) + " jobs/s", fmt(viaDray / viaDocker) + "×", "≥ 0.95×", viaDray / viaDocker >= 0.95);
    }

    private void dataPassing() throws Exception {
        long bytes = 200L << 20;
        String job = JSON.writeValueAsString(Map.of("steps", List.of(
                Map.of("source", SH, "output", "/out/data", "environment", List.of(Map.of("variable", "SCRIPT",
                        "value", "head -c " + bytes + " /dev/zero > /out/data"))),
                Map.of("source", SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", "wc -c"))))));
        // Writing 200 MB to disk varies by seconds from run to run here: alternate the two, five times, medians.
        List<Double> viaDrayRuns = new ArrayList<>();
        List<Double> viaDockerRuns = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long t = System.nanoTime();
            String id = client.submit(job);
            check(awaitEnd(id, 120).get("status").asText().equals("complete"), "data job " + id);
            viaDrayRuns.add(200 / seconds(t));
            check(client.log(id).get(0).trim().equals(Long.toString(bytes)), "all 200 MB reached wc");

            Path file = Files.createTempFile("dray-bench-direct-", ".out");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            t = System.nanoTime();
            direct.run(SH, Map.of("SCRIPT", "head -c " + bytes + " /dev/zero > /out/data"), null, file, "/out/data", false);
            DirectDocker.Result counted;
            try (InputStream in = Files.newInputStream(file)) {
                counted = direct.run(SH, Map.of("SCRIPT", "wc -c"), in, null, null, true);
            }
            viaDockerRuns.add(200 / seconds(t));
            Files.delete(file);
            check(new String(counted.stdout(), StandardCharsets.UTF_8).trim().equals(Long.toString(bytes)), "direct data");
        }
        double viaDray = median("data passing dray MB/s", viaDrayRuns);
        double viaDocker = median("data passing direct MB/s", viaDockerRuns);
        row("data passing", "200 MB, file output channel into wc -c, median of 5", fmt(viaDray) + " MB/s", fmt(viaDocker) + " MB/s",
                fmt(viaDray / viaDocker) + "×", "≥ 1.0×", viaDray / viaDocker >= 1.0);

        String big = job.replace(Long.toString(bytes), Long.toString(1L << 30));
        // What the transfer holds on to, not the garbage it leaves for the next collection: the heap used right after
        // a full GC (Dropwizard's admin task), before and every half second during the transfer.
        long before = liveHeap();
        String bigId = client.submit(big);
        long peak = before;
        while (!isFinal(bigId)) {
            peak = Math.max(peak, liveHeap());
            Thread.sleep(500);
        }
        check(client.log(bigId).get(0).trim().equals(Long.toString(1L << 30)), "all 1 GB reached wc");
        double growth = (peak - before) / 1048576.0;
        row("data heap", "live heap growth of the Dray process (after a GC) while 1 GB passes", fmt(growth) + " MB", "-", "-", "< 64 MB",
                growth < 64);
    }

    private void logIngest() throws Exception {
        int lines = 200_000;
        String job = DrayClient.scriptJob("seq 1 " + lines);
        // One run takes a second or two, and its rate swings with the machine: alternate the two, five times, medians.
        List<Double> viaDrayRuns = new ArrayList<>();
        List<Double> viaDockerRuns = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long t = System.nanoTime();
            String id = client.submit(job);
            while (JSON.readTree(client.get("/jobs/" + id + "/log?index=" + (lines - 1)).body()).get("lines").isEmpty()) {
                Thread.sleep(POLL.toMillis());
            }
            viaDrayRuns.add(lines / seconds(t));
            check(client.log(id).size() == lines, "all " + lines + " lines stored once");
            t = System.nanoTime();
            DirectDocker.Result r = direct.run(SH, Map.of("SCRIPT", "seq 1 " + lines), null, null, null, false);
            viaDockerRuns.add(r.lines() / seconds(t));
            check(r.lines() == lines, "direct stream delivered every line");
        }
        double viaDray = median("log ingest dray lines/s", viaDrayRuns);
        double viaDocker = median("log ingest direct lines/s", viaDockerRuns);
        row("log ingest", "one step printing 200,000 lines, until all are readable through /log, median of 5",
                fmt(viaDray) + " lines/s", fmt(viaDocker) + " lines/s", fmt(viaDray / viaDocker) + "×",
                "≥ 100,000 lines/s", viaDray >= 100_000);
    }

    private void apiReads() throws Exception {
        String id = client.submit(DrayClient.scriptJob("echo hi"));
        awaitEnd(id, 20);
        String out;
        try {
            // A server is measured warm: the JIT needs about a minute of this load on two cores to compile the path.
            wrk("-d60s", id);
            out = wrk("-d10s", id);
        } catch (java.io.IOException e) {
            notes.add("API reads not measured: wrk is not installed");
            return;
        }
        double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
        Matcher p99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)").matcher(out);
        double p99ms = p99.find() ? Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
            case "us" -> 0.001;
            case "s" -> 1000.0;
            default -> 1.0;
        } : Double.NaN;
        boolean errors = out.contains("Non-2xx") || out.contains("Socket errors");
        row("API reads", "GET /jobs/{id}, 32 connections, 10 s (wrk) after 60 s of the same",
                fmt(rps) + " req/s, p99 " + fmt(p99ms) + " ms" + (errors ? ", ERRORS" : ""), "-", "-",
                "≥ 15,000 req/s, p99 ≤ 10 ms, no errors", rps >= 15_000 && p99ms <= 10 && !errors);
    }

    private String wrk(String duration, String id) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c32", duration, "--latency", dray.url("/jobs/" + id))
                .redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        return out;
    }

    private void scale(int jobs) throws Exception {
        String job = DrayClient.scriptJob("true");
        long completedBefore = completed();
        long endedBefore = ended();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        AtomicLong refused = new AtomicLong();
        ExecutorService submitters = Executors.newFixedThreadPool(16);
        long t = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            submitters.execute(() -> {
                try {
                    var response = client.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
                    if (response.statusCode() == 201) {
                        ids.add(JSON.readTree(response.body()).get("id").asText());
                    } else {
                        refused.incrementAndGet();
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
            });
        }
        submitters.shutdown();
        long peak = 0;
        while (!submitters.awaitTermination(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, heapUsed());
        }
        double submitRate = jobs / seconds(t);
        // A failed job ends the wait too, and a lost one the deadline: either is reported, never waited for forever.
        long limitSeconds = 60 + jobs / 2;
        long deadline = System.nanoTime() + Duration.ofSeconds(limitSeconds).toNanos();
        for (long running; (running = ids.size() - (ended() - endedBefore)) > 0; ) {
            check(System.nanoTime() < deadline,
                    running + " of " + ids.size() + " scale jobs had not ended after " + limitSeconds + " s");
            peak = Math.max(peak, heapUsed());
            Thread.sleep(500);
        }
        double endToEnd = ids.size() / seconds(t);
        long notCompleted = ids.size() - (completed() - completedBefore);
        check(notCompleted == 0, notCompleted + " of " + ids.size() + " scale jobs did not complete");
        check(refused.get() == 0, refused.get() + " of " + jobs + " submissions refused");
        row("scale", jobs + " one-step jobs submitted at once",
                fmt(submitRate) + " submits/s, " + fmt(endToEnd) + " jobs/s end to end, heap peak "
                        + fmt(peak / 1048576.0) + " MB", "-", "-", "all accepted and complete, memory bounded",
                refused.get() == 0);
    }

    private long completed() throws Exception {
        return meters().get("jobs.completed").get("count").asLong();
    }

    /** Jobs that completed or failed. */
    private long ended() throws Exception {
        JsonNode meters = meters();
        return meters.get("jobs.completed").get("count").asLong() + meters.get("jobs.failed").get("count").asLong();
    }

    private JsonNode meters() throws Exception {
        return JSON.readTree(admin.get("/metrics").body()).get("meters");
    }

    long liveHeap() throws Exception {
        return liveHeap(admin);
    }

    long heapUsed() throws Exception {
        return heapUsed(admin);
    }

    /** The heap a Dray process uses right after a full GC (Dropwizard's admin task): what it holds on to. */
    static long liveHeap(DrayClient admin) throws Exception {
        admin.post("/tasks/gc", HttpRequest.BodyPublishers.noBody());
        return heapUsed(admin);
    }

    static long heapUsed(DrayClient admin) throws Exception {
        return JSON.readTree(admin.get("/metrics").body())
                .get("gauges").get("jvm.memory.heap.used").get("value").asLong();
    }

    private boolean isFinal(String id) throws Exception {
        return ended(client.status(id));
    }

    private static boolean ended(JsonNode status) {
        return !status.get("status").asText().matches("queued|running");
    }

    /**
     * Waits the way the floor does (Docker's wait): one request that Dray answers when the job ends. Polling every
     * 20 ms instead took CPU the containers need and up to a poll's interval per job (docs/benchmarks.md).
     */
    private JsonNode awaitEnd(String id, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            var answer = client.get("/jobs/" + id + "?wait=" + Math.min(left, 20_000) + "ms");
            check(answer.statusCode() == 200, "job " + id + ": " + answer.body());
            JsonNode status = JSON.readTree(answer.body());
            if (ended(status)) {
                return status;
            }
            check(System.nanoTime() <= deadline, "job " + id + " did not end within " + seconds + " s");
        }
    }

    void row(String figure, String work, String viaDray, String viaDocker, String ratio, String target, boolean met) {
        rows.add(new String[] {figure, work, viaDray, viaDocker, ratio, target, met ? "met" : "MISSED"});
        System.out.printf("%-13s dray=%s direct=%s ratio=%s target=%s %s%n", figure, viaDray, viaDocker, ratio, target,
                met ? "met" : "MISSED");
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark run failed, no figure: " + what);
        }
    }

    private void print() {
        StringBuilder table = new StringBuilder("| figure | work | Dray | direct Docker API | ratio | target | |\n"
                + "| --- | --- | --- | --- | --- | --- | --- |\n");
        for (String[] r : rows) {
            table.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        notes.forEach(n -> table.append("\n").append(n).append('\n'));
        System.out.println();
        System.out.println("Run of " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores:");
        System.out.println(table);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** The median of a figure's runs, printing them all so that a reader sees the spread behind it. */
    private static double median(String runs, List<Double> values) {
        System.out.println("  runs of " + runs + ": " + values.stream().map(DrayBench::fmt).toList());
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static String fmt(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
