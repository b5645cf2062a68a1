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
                measure(prefix, running);
                runs.post("/jobs/" + running + "/cancel", HttpRequest.BodyPublishers.noBody());
                runner.terminate(Duration.ofSeconds(60));
            } finally {
                redis.delete(prefix);
            }
        }
    }

    private void measure(String prefix, String running) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions);
        // config.yml as shipped, but for its key prefix: Dropwizard's override of one setting.
        options.add("-Ddw.redis.keyPrefix=" + prefix);
        Map<String, String> environment = Map.of("REDIS_URL", redisUrl, "DRAY_WORKERS", "0",
                "DRAY_MAX_QUEUED_JOBS", "100000000", "DRAY_DATA_DIR", data.toString());
        try (DrayProcess api = DrayProcess.startWithConfig(Path.of("config.yml"), options, environment)) {
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
            String within = " (" + DrayBench.fmt(api.startUp().toMillis() / 1000.0) + "-" + DrayBench.fmt(by)
                    + " s after launch)";
            bench.row("POST /jobs", "config.yml as shipped, jobs stay queued, 32 connections, 10 s (wrk), from its"
                    + " first green health check" + within, posts.text(), "-", "-", "-", "-",
                    "≥ 5,000 req/s, p99 ≤ 20 ms, within 30 s", DrayBench.verdict(posts.rate() >= 5000
                            && posts.p99Millis() <= 20 && !posts.errors() && by <= 30));
            bench.row("GET /jobs/{id}", "config.yml as shipped, a running job, 32 connections, 10 s (wrk), right"
                    + " after the submits" + within, gets.text(), "-", "-", "-", "-",
                    "≥ 20,000 req/s, p99 ≤ 10 ms, within 30 s", DrayBench.verdict(gets.rate() >= 20_000
                            && gets.p99Millis() <= 10 && !gets.errors() && by <= 30));
            bench.row("POST /jobs, later", "the same 10 s again, ending " + DrayBench.fmt(later) + " s after launch",
                    postsLater.text(), "-", "-", "-", "-", "-", "reported");
            bench.row("GET /jobs/{id}, later", "the same 10 s again", getsLater.text(), "-", "-", "-", "-", "-",
                    "reported");
            double postMicros = postCpu / 1e3 / Math.max(1, posts.requests());
            double getMicros = getCpu / 1e3 / Math.max(1, gets.requests());
            bench.row("CPU per POST", "Dray's CPU (user + system, /proc) over the first POST window, per request",
                    DrayBench.fmt(postMicros) + " µs", "-", "-", "-", "-", "≤ 200 µs", DrayBench.verdict(postMicros <= 200));
            bench.row("CPU per GET", "Dray's CPU over the first GET window, per request", DrayBench.fmt(getMicros) + " µs",
                    "-", "-", "-", "-", "≤ 50 µs", DrayBench.verdict(getMicros <= 50));
            bench.row("RSS idle", "resident memory of that Dray 1 s after its first green health check",
                    DrayBench.fmt(idle / 1048576.0) + " MB", "-", "-", "-", "-", "≤ 200 MB",
                    DrayBench.verdict(idle <= 200L << 20));
            bench.row("RSS after", "resident memory after the four wrk runs above", DrayBench.fmt(after / 1048576.0)
                    + " MB", "-", "-", "-", "-", "≤ 300 MB", DrayBench.verdict(after <= 300L << 20));
            api.terminate(Duration.ofSeconds(60));
        }
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
