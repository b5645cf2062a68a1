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
    private static final Path DOCKER_SOCKET = Path.of("/var/run/docker.sock");
    /**
     * How a client learns that a job ended: one request that answers then ({@code ?wait=}), or a poll of
     * {@code GET /jobs/{id}} at an interval, as clients of the original API do.
     */
    private record Client(String name, Duration poll) {}
    private static final Client WAITS = new Client("?wait=", null);
    private static final Client POLLS_100 = new Client("poll 100 ms", Duration.ofMillis(100));
    private static final Client POLLS_10 = new Client("poll 10 ms", Duration.ofMillis(10));
    private static final List<Client> CLIENTS = List.of(WAITS, POLLS_100, POLLS_10);
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** The Redis key prefixes of this run's Dray processes, whose keys it removes at the end. */
    private final List<String> prefixes = new ArrayList<>();
    private DrayProcess dray;
    private DrayClient client;
    private DrayClient admin;
    private DirectDocker direct;
    private RawSocketDocker thin;
    private List<String> shipped;
    private Path data;

    private final Set<String> figures;

    private DrayBench(Set<String> figures) {
        this.figures = figures;
    }

    /**
     * Environment: BENCH_SCALE_JOBS (default 100000), BENCH_DRAIN_SECONDS (default 60), BENCH_FIGURES
     * (comma-separated subset of latency, throughput, data, log, api, startup, scale, followers, list, retention;
     * default all), BENCH_JFR (a file: the Dray process records a JFR profile there), BENCH_JVM_OPTIONS (more
     * options for the Dray process's JVM), BENCH_WARM_UP_JOBS (default 500).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String only = env.getOrDefault("BENCH_FIGURES", "");
        new DrayBench(only.isBlank() ? Set.of("latency", "throughput", "data", "log", "api", "startup", "scale",
                "followers", "list", "retention")
                : Set.of(only.split("\\s*,\\s*")))
                .run(Integer.parseInt(env.getOrDefault("BENCH_SCALE_JOBS", "100000")), env.get("BENCH_JFR"));
        System.exit(0);
    }

    private void run(int scaleJobs, String jfrFile) throws Exception {
        TestDocker.buildImages();
        data = Files.createTempDirectory("dray-bench-");
        shipped = new ArrayList<>();
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
        thin = new RawSocketDocker(DOCKER_SOCKET);
        try {
            warmUp();
            when("latency", this::latency);
            when("throughput", this::throughput);
            when("data", this::dataPassing);
            when("log", this::logIngest);
            when("api", () -> new ApiFigures(this, REDIS, data, shipped).run());
            when("startup", () -> startUp(firstStartUp, data, shipped));
            when("scale", () -> new ScaleFigures(this, REDIS, data, shipped).run(scaleJobs, this::thinFloorRound));
            VisibilityFigures visibility = new VisibilityFigures(this, REDIS, data);
            when("followers", () -> visibility.followers(dray, client, admin));
            when("list", visibility::list);
            when("retention", () -> visibility.retention(scaleJobs));
        } finally {
            direct.close();
            thin.close();
            try {
                // A SIGTERM, so that the JVM writes a JFR recording or a profiling agent's output on the way out.
                dray.terminate(Duration.ofSeconds(60));
            } finally {
                dray.close();
                try (BenchRedis redis = new BenchRedis(REDIS)) {
                    prefixes.forEach(redis::delete);
                }
            }
        }
        print();
    }

    private DrayProcess startDray(Path data, List<String> jvmOptions) throws Exception {
        String prefix = "dray-bench-" + UUID.randomUUID() + ":";
        prefixes.add(prefix);
        return DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock",
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
     * Every side runs 500 jobs first (BENCH_WARM_UP_JOBS): a JVM measured cold pays for its JIT. On two cores Dray's
     * compiler threads still take as much CPU per job as dockerd after 400 jobs (some 9,000 methods compiled), and
     * that CPU is the containers'; Docker's first containers start slower too. The floors are Java too (this process).
     */
    private void warmUp() throws Exception {
        String job = DrayClient.scriptJob("echo warm");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < WARM_UP_JOBS; i++) {
            ids.add(client.submit(job));
        }
        for (String id : ids) {
            awaitEnd(id, 60, WAITS);
        }
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < WARM_UP_JOBS; i++) {
            runs.add(pool.submit(() -> direct.run(SH, Map.of("SCRIPT", "echo warm"), null, null, null, true)));
            runs.add(pool.submit(() -> thin.run(SH, Map.of("SCRIPT", "echo warm"), null, null, null, null, true)));
        }
        for (Future<?> run : runs) {
            run.get();
        }
        pool.shutdown();
    }

    /**
     * The word job, one run of each side in turn (Dray with each client, the thin floor, docker-java), 13 times; the
     * first 3 are dropped. The floors run its three containers one after the other, passing the output along.
     */
    private void latency() throws Exception {
        String job = Files.readString(Path.of("examples/word-job.json"));
        Map<Client, List<Double>> viaDray = new java.util.LinkedHashMap<>();
        CLIENTS.forEach(c -> viaDray.put(c, new ArrayList<>()));
        List<Double> viaThin = new ArrayList<>();
        List<Double> viaDockerJava = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            for (Client c : CLIENTS) {
                long t = System.nanoTime();
                String id = client.submit(job);
                JsonNode end = awaitEnd(id, 60, c);
                double d = seconds(t);
                check(end.get("status").asText().equals("complete") && client.log(id).size() == 30, "word job " + id);
                if (i >= 3) {
                    viaDray.get(c).add(d);
                }
            }
            long t = System.nanoTime();
            byte[] words = thin.run("dray-example/randword", Map.of("WORD_COUNT", "10"), null, null, null, null, true).stdout();
            byte[] upper = thin.run("dray-example/upper", Map.of(), words, null, null, null, true).stdout();
            byte[] reversed = thin.run("dray-example/reverse", Map.of(), upper, null, null, null, true).stdout();
            double e = seconds(t);
            check(new String(reversed, StandardCharsets.UTF_8).lines().count() == 10, "thin floor's word job");
            t = System.nanoTime();
            words = direct.run("dray-example/randword", Map.of("WORD_COUNT", "10"), null, null, null, true).stdout();
            upper = direct.run("dray-example/upper", Map.of(), DirectDocker.bytes(words), null, null, true).stdout();
            reversed = direct.run("dray-example/reverse", Map.of(), DirectDocker.bytes(upper), null, null, true).stdout();
            double f = seconds(t);
            check(new String(reversed, StandardCharsets.UTF_8).lines().count() == 10, "docker-java word job");
            if (i >= 3) {
                viaThin.add(e);
                viaDockerJava.add(f);
            }
        }
        double n = median("latency thin floor s", viaThin);
        double j = median("latency docker-java s", viaDockerJava);
        for (Client c : CLIENTS) {
            double m = median("latency dray (" + c.name() + ") s", viaDray.get(c));
            boolean targeted = c != POLLS_10;
            row("latency, " + c.name(), "3-step word job, median of 10, submit to complete", fmt(m * 1000) + " ms",
                    fmt(n * 1000) + " ms", fmt(m / n) + "×", fmt(j * 1000) + " ms", fmt(m / j) + "×",
                    targeted ? "≤ 1.05×" : "-", targeted ? verdict(m / n <= 1.05) : "reported");
        }
    }

    /**
     * 40 one-step jobs at once, 4 at a time, each side in turn, 5 rounds. Dray's CPU over the rounds where the client
     * waits is its cost per step; this process's CPU over the thin floor's rounds is the floor's.
     */
    private void throughput() throws Exception {
        String job = DrayClient.scriptJob("echo hi");
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        Map<Client, List<Double>> viaDray = new java.util.LinkedHashMap<>();
        CLIENTS.forEach(c -> viaDray.put(c, new ArrayList<>()));
        List<Double> viaThin = new ArrayList<>();
        List<Double> viaDockerJava = new ArrayList<>();
        long drayCpu = 0;
        long thinCpu = 0;
        for (int round = 0; round < 5; round++) {
            for (Client c : CLIENTS) {
                long cpu = dray.cpuTime().toNanos();
                long t = System.nanoTime();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    ids.add(client.submit(job));
                }
                for (JsonNode end : awaitAll(ids, 120, c)) {
                    check(end.get("status").asText().equals("complete"), "throughput job " + end.get("id"));
                }
                viaDray.get(c).add(40 / seconds(t));
                if (c == WAITS) {
                    drayCpu += dray.cpuTime().toNanos() - cpu;
                }
            }
            long cpu = ownCpuNanos();
            viaThin.add(40 / floorRound(pool, () -> thin.run(SH, Map.of("SCRIPT", "echo hi"), null, null, null, null, true)));
            thinCpu += ownCpuNanos() - cpu;
            viaDockerJava.add(40 / floorRound(pool, () -> direct.run(SH, Map.of("SCRIPT", "echo hi"), null, null, null, true)));
        }
        pool.shutdown();
        double n = median("throughput thin floor jobs/s", viaThin);
        double j = median("throughput docker-java jobs/s", viaDockerJava);
        for (Client c : CLIENTS) {
            double m = median("throughput dray (" + c.name() + ") jobs/s", viaDray.get(c));
            boolean targeted = c != POLLS_10;
            row("throughput, " + c.name(), "40 one-step jobs at once, " + WORKERS + " in parallel, median of 5",
                    fmt(m) + " jobs/s", fmt(n) + " jobs/s", fmt(m / n) + "×", fmt(j) + " jobs/s", fmt(m / j) + "×",
                    targeted ? "≥ 0.95×" : "-", targeted ? verdict(m / n >= 0.95) : "reported");
        }
        double perStep = drayCpu / 1e6 / 200;
        row("CPU per step", "Dray's CPU (user + system, /proc) per one-step job, over the 200 throughput jobs waited for",
                fmt(perStep) + " ms", fmt(thinCpu / 1e6 / 200) + " ms (the bench's own CPU)", "-", "-", "-",
                "≤ 10 ms", verdict(perStep <= 10));
    }

    /** One round of the thin floor's throughput, now: 40 one-step jobs ({@code true}), 4 at a time, in jobs/s. */
    private double thinFloorRound() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            return 40 / floorRound(pool, () -> thin.run(SH, Map.of("SCRIPT", "true"), null, null, null, null, true));
        } finally {
            pool.shutdown();
        }
    }

    private interface FloorRun {
        DirectDocker.Result run() throws Exception;
    }

    /** Seconds for 40 containers, 4 at a time. */
    private static double floorRound(ExecutorService pool, FloorRun run) throws Exception {
        long t = System.nanoTime();
        List<Future<DirectDocker.Result>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            results.add(pool.submit(run::run));
        }
        for (Future<DirectDocker.Result> r : results) {
            check(r.get().exitCode() == 0, "floor throughput job");
        }
        return seconds(t);
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void dataPassing() throws Exception {
        long bytes = 200L << 20;
        String job = JSON.writeValueAsString(Map.of("steps", List.of(
                Map.of("source", SH, "output", "/out/data", "environment", List.of(Map.of("variable", "SCRIPT",
                        "value", "head -c " + bytes + " /dev/zero > /out/data"))),
                Map.of("source", SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", "wc -c"))))));
        // Writing 200 MB to disk varies by seconds from run to run here: alternate the sides, five times, medians.
        List<Double> viaDrayRuns = new ArrayList<>();
        List<Double> viaThinRuns = new ArrayList<>();
        List<Double> viaDockerRuns = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long t = System.nanoTime();
            String id = client.submit(job);
            check(awaitEnd(id, 120, WAITS).get("status").asText().equals("complete"), "data job " + id);
            viaDrayRuns.add(200 / seconds(t));
            check(client.log(id).get(0).trim().equals(Long.toString(bytes)), "all 200 MB reached wc");

            Path file = floorFile();
            t = System.nanoTime();
            thin.run(SH, Map.of("SCRIPT", "head -c " + bytes + " /dev/zero > /out/data"), null, null, file, "/out/data", false);
            DirectDocker.Result counted = thin.run(SH, Map.of("SCRIPT", "wc -c"), null, file, null, null, true);
            viaThinRuns.add(200 / seconds(t));
            Files.delete(file);
            check(new String(counted.stdout(), StandardCharsets.UTF_8).trim().equals(Long.toString(bytes)), "thin floor's data");

            file = floorFile();
            t = System.nanoTime();
            direct.run(SH, Map.of("SCRIPT", "head -c " + bytes + " /dev/zero > /out/data"), null, file, "/out/data", false);
            try (InputStream in = Files.newInputStream(file)) {
                counted = direct.run(SH, Map.of("SCRIPT", "wc -c"), in, null, null, true);
            }
            viaDockerRuns.add(200 / seconds(t));
            Files.delete(file);
            check(new String(counted.stdout(), StandardCharsets.UTF_8).trim().equals(Long.toString(bytes)), "docker-java data");
        }
        double viaDray = median("data passing dray MB/s", viaDrayRuns);
        double viaThin = median("data passing thin floor MB/s", viaThinRuns);
        double viaDocker = median("data passing docker-java MB/s", viaDockerRuns);
        row("data passing", "200 MB, file output channel into wc -c, median of 5", fmt(viaDray) + " MB/s",
                fmt(viaThin) + " MB/s", fmt(viaDray / viaThin) + "×", fmt(viaDocker) + " MB/s",
                fmt(viaDray / viaDocker) + "×", "≥ 1.0×", verdict(viaDray / viaThin >= 1.0));

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

    /** A file a container may write into, as Dray's output channels are. */
    private static Path floorFile() throws java.io.IOException {
        Path file = Files.createTempFile("dray-bench-floor-", ".out");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        return file;
    }

    private void logIngest() throws Exception {
        int lines = 200_000;
        String job = DrayClient.scriptJob("seq 1 " + lines);
        // One run takes a second or two, and its rate swings with the machine: alternate the sides, five times, medians.
        List<Double> viaDrayRuns = new ArrayList<>();
        List<Double> viaThinRuns = new ArrayList<>();
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
            DirectDocker.Result r = thin.run(SH, Map.of("SCRIPT", "seq 1 " + lines), null, null, null, null, false);
            viaThinRuns.add(r.lines() / seconds(t));
            check(r.lines() == lines, "the thin floor's stream delivered every line");
            t = System.nanoTime();
            r = direct.run(SH, Map.of("SCRIPT", "seq 1 " + lines), null, null, null, false);
            viaDockerRuns.add(r.lines() / seconds(t));
            check(r.lines() == lines, "docker-java's stream delivered every line");
        }
        double viaDray = median("log ingest dray lines/s", viaDrayRuns);
        double viaThin = median("log ingest thin floor lines/s", viaThinRuns);
        double viaDocker = median("log ingest docker-java lines/s", viaDockerRuns);
        row("log ingest", "one step printing 200,000 lines, until all are readable through /log, median of 5",
                fmt(viaDray) + " lines/s", fmt(viaThin) + " lines/s", fmt(viaDray / viaThin) + "×",
                fmt(viaDocker) + " lines/s", fmt(viaDray / viaDocker) + "×", "≥ 100,000 lines/s",
                verdict(viaDray >= 100_000));
    }

    long liveHeap() throws Exception {
        return liveHeap(admin);
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
     * Waits for a job's end as the client does: with {@code ?wait=}, one request that Dray answers when the job ends
     * (the way the floor waits with Docker's wait), or polling {@code GET /jobs/{id}} at the client's interval.
     */
    private JsonNode awaitEnd(String id, int seconds, Client how) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            var answer = client.get("/jobs/" + id + (how.poll() == null ? "?wait=" + Math.min(left, 20_000) + "ms" : ""));
            check(answer.statusCode() == 200, "job " + id + ": " + answer.body());
            JsonNode status = JSON.readTree(answer.body());
            if (ended(status)) {
                return status;
            }
            check(System.nanoTime() <= deadline, "job " + id + " did not end within " + seconds + " s");
            if (how.poll() != null) {
                Thread.sleep(how.poll().toMillis());
            }
        }
    }

    /** The ends of many jobs: waited for one after the other, or polled all at each interval, as a client would. */
    private List<JsonNode> awaitAll(List<String> ids, int seconds, Client how) throws Exception {
        List<JsonNode> ends = new ArrayList<>();
        if (how.poll() == null) {
            for (String id : ids) {
                ends.add(awaitEnd(id, seconds, how));
            }
            return ends;
        }
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<String> left = new ArrayList<>(ids);
        while (!left.isEmpty()) {
            for (var it = left.iterator(); it.hasNext(); ) {
                JsonNode status = client.status(it.next());
                if (ended(status)) {
                    ends.add(status);
                    it.remove();
                }
            }
            check(System.nanoTime() <= deadline, left.size() + " jobs did not end within " + seconds + " s");
            if (!left.isEmpty()) {
                Thread.sleep(how.poll().toMillis());
            }
        }
        return ends;
    }

    /** A figure with one floor, or none. */
    void row(String figure, String work, String viaDray, String viaDocker, String ratio, String target, boolean met) {
        row(figure, work, viaDray, viaDocker, ratio, "-", "-", target, verdict(met));
    }

    /**
     * A figure against the thin floor (the reference, which the target's ratio is to) and docker-java's floor.
     *
     * @param verdict met, MISSED, or "reported" for a figure with no target
     */
    void row(String figure, String work, String viaDray, String viaThin, String ratio, String viaDockerJava,
            String dockerJavaRatio, String target, String verdict) {
        rows.add(new String[] {figure, work, viaDray, viaThin, ratio, viaDockerJava, dockerJavaRatio, target, verdict});
        System.out.printf("%-28s dray=%s thin=%s ratio=%s docker-java=%s ratio=%s target=%s %s%n", figure, viaDray,
                viaThin, ratio, viaDockerJava, dockerJavaRatio, target, verdict);
    }

    static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    void note(String note) {
        notes.add(note);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark run failed, no figure: " + what);
        }
    }

    private void print() {
        StringBuilder table = new StringBuilder("| figure | work | Dray | thin floor | ratio | docker-java floor | ratio"
                + " | target | verdict |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String[] r : rows) {
            table.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        notes.forEach(n -> table.append("\n").append(n).append('\n'));
        System.out.println();
        System.out.println("Run of " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores:");
        System.out.println(table);
    }

    /** The median of a figure's runs, printing them all so that a reader sees the spread behind it. */
    static double median(String runs, List<Double> values) {
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
