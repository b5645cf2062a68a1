package io.dray.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API as users meet it: a Dray started from config.yml as shipped (its request log on), measured from the
 * launch of its JVM, submits that stay queued (an API-only instance, DRAY_WORKERS=0) and reads of a job that is
 * running (on a second instance), so never answered from the finished-job cache; its memory idle and after.
 */
final class ApiFigures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private final DrayBench bench;
    private final String redisUrl;
    private final Path data;
    private final List<String> jvmOptions;

    ApiFigures(DrayBench bench, String redisUrl, Path data, List<String> jvmOptions) {
        this.bench = bench;
        this.redisUrl = redisUrl;
        this.data = data;
        this.jvmOptions = jvmOptions;
    }

    /** One wrk run: its rate, 99th percentile, request count and whether anything failed. */
    record Wrk(double rate, double p99Millis, long requests, boolean errors) {
        static Wrk parse(String out) {
            Matcher p99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)").matcher(out);
            double millis = p99.find() ? Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            } : Double.NaN;
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
            Matcher rate = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            return new Wrk(rate.find() ? Double.parseDouble(rate.group(1)) : Double.NaN, millis,
                    requests.find() ? Long.parseLong(requests.group(1)) : 0,
                    out.contains("Non-2xx") || out.contains("Socket errors"));
        }

        String text() {
            return DrayBench.fmt(rate) + " req/s, p99 " + DrayBench.fmt(p99Millis) + " ms" + (errors ? ", ERRORS" : "");
        }
    }

    void run() throws Exception {
        String prefix = "dray-bench-api-" + UUID.randomUUID() + ":";
        try (BenchRedis redis = new BenchRedis(redisUrl)) {
            try (DrayProcess runner = DrayProcess.start(redisUrl, prefix, "unix:///var/run/docker.sock",
                    Map.of("workers", "1", "dataDirectory", data.toString()), "", jvmOptions)) {
                DrayClient runs = new DrayClient(runner.url(""));
                String running = runs.submit(DrayClient.scriptJob("sleep 600"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!runs.status(running).get("status").asText().equals("running")) {
                    DrayBench.check(System.nanoTime() < deadline, "the job to read did not start within 30 s");
                    Thread.sleep(100);
                }
                Windows shipped = measure(prefix, running, Path.of("config.yml"));
                Windows quiet = measure(prefix, running, withoutRequestLog());
                report(shipped, quiet);
                runs.post("/jobs/" + running + "/cancel", HttpRequest.BodyPublishers.noBody());
                runner.terminate(Duration.ofSeconds(60));
            } finally {
                redis.delete(prefix);
            }
        }
    }

    /** What one instance did: its start-up, the four windows, its CPU in the first two, its memory. */
    private record Windows(double startUp, Wrk posts, Wrk gets, double by, Wrk postsLater, Wrk getsLater, double later,
            long postCpuNanos, long getCpuNanos, long idle, long after) {}

    /** config.yml as shipped but for its request log, turned off ({@code appenders: []}). */
    private static Path withoutRequestLog() throws java.io.IOException {
        String shipped = Files.readString(Path.of("config.yml"));
        String quiet = shipped.replaceFirst("(?m)^  requestLog:\\n    appenders:\\n(?:(?: {6}.*)?\\n)*",
                "  requestLog:\n    appenders: []\n");
        DrayBench.check(!quiet.equals(shipped), "config.yml's request log section not found");
        Path file = Path.of("target", "config-without-request-log.yml");
        Files.writeString(file, quiet);
        return file;
    }

    private Windows measure(String prefix, String running, Path config) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions);
        // config.yml as shipped, but for its key prefix: Dropwizard's override of one setting.
        options.add("-Ddw.redis.keyPrefix=" + prefix);
        Map<String, String> environment = Map.of("REDIS_URL", redisUrl, "DRAY_WORKERS", "0",
                "DRAY_MAX_QUEUED_JOBS", "100000000", "DRAY_DATA_DIR", data.toString());
        try (DrayProcess api = DrayProcess.startWithConfig(config, options, environment)) {
            Thread.sleep(1000);
            long idle = api.residentMemory();
            Path post = Files.writeString(Files.createTempFile("dray-bench-post-", ".lua"),
                    "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [["
                            + DrayClient.scriptJob("echo hi") + "]]\n");
            long cpu = api.cpuTime().toNanos();
            Wrk posts = wrk(api.url("/jobs"), post);
            long postCpu = api.cpuTime().toNanos() - cpu;
            cpu = api.cpuTime().toNanos();
            Wrk gets = wrk(api.url("/jobs/" + running), null);
            long getCpu = api.cpuTime().toNanos() - cpu;
            double by = api.sinceLaunch().toMillis() / 1000.0;
            JsonNode read = JSON.readTree(new DrayClient(api.url("")).get("/jobs/" + running).body());
            DrayBench.check(read.get("status").asText().equals("running"), "the job read was not running: " + read);
            // The same again: where the rates go once the JIT has had more of the load.
            Wrk postsLater = wrk(api.url("/jobs"), post);
            Wrk getsLater = wrk(api.url("/jobs/" + running), null);
            double later = api.sinceLaunch().toMillis() / 1000.0;
            long after = api.residentMemory();
            Files.delete(post);
            api.terminate(Duration.ofSeconds(60));
            return new Windows(api.startUp().toMillis() / 1000.0, posts, gets, by, postsLater, getsLater, later,
                    postCpu, getCpu, idle, after);
        }
    }

    /** The shipped instance's figures, with the one without a request log beside them for its cost. */
    private void report(Windows w, Windows quiet) {
        String within = " (" + DrayBench.fmt(w.startUp()) + "-" + DrayBench.fmt(w.by()) + " s after launch)";
        bench.row("POST /jobs", "config.yml as shipped, jobs stay queued, 32 connections, 10 s (wrk), from its first"
                        + " green health check" + within, w.posts().text(), "-", "-", "-", "-",
                "≥ 5,000 req/s, p99 ≤ 20 ms, within 30 s", DrayBench.verdict(w.posts().rate() >= 5000
                        && w.posts().p99Millis() <= 20 && !w.posts().errors() && w.by() <= 30));
        bench.row("GET /jobs/{id}", "config.yml as shipped, a running job, 32 connections, 10 s (wrk), right after"
                        + " the submits" + within, w.gets().text(), "-", "-", "-", "-",
                "≥ 20,000 req/s, p99 ≤ 10 ms, within 30 s", DrayBench.verdict(w.gets().rate() >= 20_000
                        && w.gets().p99Millis() <= 10 && !w.gets().errors() && w.by() <= 30));
        bench.row("POST /jobs, later", "the same 10 s again, ending " + DrayBench.fmt(w.later()) + " s after launch",
                w.postsLater().text(), "-", "-", "-", "-", "-", "reported");
        bench.row("GET /jobs/{id}, later", "the same 10 s again", w.getsLater().text(), "-", "-", "-", "-", "-",
                "reported");
        bench.row("request log cost", "the first POST and GET windows of the same config without its request log"
                        + " (another instance, right after); the ratios are shipped / without",
                "POST " + w.posts().text() + "; GET " + w.gets().text(),
                "POST " + quiet.posts().text() + "; GET " + quiet.gets().text(),
                "POST " + DrayBench.fmt(w.posts().rate() / quiet.posts().rate()) + "×, GET "
                        + DrayBench.fmt(w.gets().rate() / quiet.gets().rate()) + "×", "-", "-", "-", "reported");
        double postMicros = w.postCpuNanos() / 1e3 / Math.max(1, w.posts().requests());
        double getMicros = w.getCpuNanos() / 1e3 / Math.max(1, w.gets().requests());
        bench.row("CPU per POST", "Dray's CPU (user + system, /proc) over the first POST window, per request",
                DrayBench.fmt(postMicros) + " µs", "-", "-", "-", "-", "≤ 200 µs", DrayBench.verdict(postMicros <= 200));
        bench.row("CPU per GET", "Dray's CPU over the first GET window, per request", DrayBench.fmt(getMicros) + " µs",
                "-", "-", "-", "-", "≤ 50 µs", DrayBench.verdict(getMicros <= 50));
        bench.row("RSS idle", "resident memory of the shipped instance 1 s after its first green health check",
                DrayBench.fmt(w.idle() / 1048576.0) + " MB", "-", "-", "-", "-", "≤ 200 MB",
                DrayBench.verdict(w.idle() <= 200L << 20));
        bench.row("RSS after", "its resident memory after its four wrk runs",
                DrayBench.fmt(w.after() / 1048576.0) + " MB", "-", "-", "-", "-", "≤ 300 MB",
                DrayBench.verdict(w.after() <= 300L << 20));
    }

    private static Wrk wrk(String url, Path script) throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c32", "-d" + WINDOW.toSeconds() + "s",
                "--latency"));
        if (script != null) {
            command.addAll(List.of("-s", script.toString()));
        }
        command.add(url);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        Wrk result = Wrk.parse(out);
        DrayBench.check(result.requests() > 0, "wrk measured nothing: " + out);
        return result;
    }
}
