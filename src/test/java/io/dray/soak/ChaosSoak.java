package io.dray.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisServer;
import io.dray.support.SecondDockerEngine;
import io.dray.support.TestDocker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * scripts/soak: jobs of mixed shapes on two Dray instances for a while, under faults on a schedule (kill -9 of an
 * instance, a restart or outage of Redis, a restart of the Docker engine), then a table of how every job ended.
 *
 * <p>Everything it faults is its own: a Redis on a free port and a Docker engine on its own socket, never the ones
 * the tests and the other engineers share. A step counts as run once per container start, as the engine's own event
 * stream tells it (not Dray's log, which loses the lines an instance had not flushed when it was killed).
 */
public final class ChaosSoak {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SH = TestDocker.SH;

    private final Settings settings;
    private final RedisServer redis;
    private final SecondDockerEngine engine = new SecondDockerEngine("soak");
    private final String prefix = "dray-soak-" + UUID.randomUUID() + ":";
    private final Path dataDirectory;
    private final Instance[] instances = new Instance[2];
    private final List<Submitted> submitted = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final ContainerStarts starts;
    private final ScheduledExecutorService cancels = Executors.newSingleThreadScheduledExecutor(daemon("cancels"));
    private final Map<String, Integer> refusedSubmissions = new ConcurrentHashMap<>();
    private volatile boolean chaosOver;
    private boolean cleanedUp;

    private ChaosSoak(Settings settings) throws IOException {
        this.settings = settings;
        this.redis = new RedisServer();
        this.dataDirectory = Files.createTempDirectory("dray-soak-");
        this.starts = new ContainerStarts(engine.host());
    }

    record Settings(Duration length, int jobsPerMinute, Duration faultInterval, Duration leaseTime, int workers,
            Duration drain, String commit) {
        static Settings fromEnvironment() {
            Map<String, String> env = System.getenv();
            return new Settings(
                    Duration.ofSeconds(Math.round(Double.parseDouble(env.getOrDefault("SOAK_MINUTES", "30")) * 60)),
                    Integer.parseInt(env.getOrDefault("SOAK_JOBS_PER_MINUTE", "30")),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("SOAK_FAULT_EVERY", "60"))),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("SOAK_LEASE_SECONDS", "5"))),
                    Integer.parseInt(env.getOrDefault("SOAK_WORKERS", "4")),
                    Duration.ofSeconds(Long.parseLong(env.getOrDefault("SOAK_DRAIN_SECONDS", "300"))),
                    env.getOrDefault("SOAK_COMMIT", "unknown"));
        }

        @Override
        public String toString() {
            return "SOAK_MINUTES=" + length.toSeconds() / 60.0 + " SOAK_JOBS_PER_MINUTE=" + jobsPerMinute
                    + " SOAK_FAULT_EVERY=" + faultInterval.toSeconds() + " SOAK_LEASE_SECONDS=" + leaseTime.toSeconds()
                    + " SOAK_WORKERS=" + workers + " SOAK_DRAIN_SECONDS=" + drain.toSeconds();
        }
    }

    /** A job the soak had answered 201, with the shape that says how it should end. */
    record Submitted(String id, int number, Shape shape, Instant at) {}

    /** @param id the instance's id in Dray, which labels its containers {@code dray.instance} */
    record Instance(DrayProcess process, String id) {}

    /**
     * @param outage how long the faulted part was unavailable, from the fault to its return
     * @param killed the id of the instance killed, if that was the fault
     */
    record Fault(Instant at, String kind, Duration outage, String killed) {
        /**
         * Whether this fault explains that a step whose container started at {@code before} (on {@code instance})
         * started again at {@code again}: its instance was killed before that (a container it had asked to start
         * may start just after it died), or Redis was away for longer than the lease while the step ran.
         */
        boolean explainsTakeOver(String instance, Instant before, Instant again, Duration leaseTime) {
            if (instance.equals(killed)) {
                return at.isBefore(again);
            }
            return kind.startsWith("redis") && outage.compareTo(leaseTime) > 0
                    && at.isBefore(again) && at.plus(outage).isAfter(before);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        ChaosSoak soak = new ChaosSoak(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(soak::cleanUp, "soak-clean-up"));
        int exitCode;
        try {
            exitCode = soak.run();
        } finally {
            soak.cleanUp();
        }
        System.exit(exitCode);
    }

    private int run() throws Exception {
        Instant began = Instant.now();
        log("soak " + settings + ", commit " + settings.commit + ", prefix " + prefix);
        redis.start();
        engine.start();
        // A soak killed earlier may have left containers on its engine: they are not this soak's to count.
        engine.removeContainers();
        engine.load(SH);
        starts.follow();
        for (int i = 0; i < instances.length; i++) {
            instances[i] = startInstance();
        }
        Thread chaos = new Thread(this::chaos, "soak-chaos");
        chaos.setDaemon(true);
        chaos.start();
        submitJobs(began.plus(settings.length));
        chaosOver = true;
        chaos.join();
        log("submitting over; waiting up to " + settings.drain.toSeconds() + " s for every job to end");
        Map<String, JsonNode> ends = awaitEnds(Instant.now().plus(settings.drain));
        int containersLeft = awaitNoContainers(Instant.now().plus(Duration.ofSeconds(60)));
        Report report = new Report(ends, containersLeft);
        report.print(began);
        return report.failed() ? 1 : 0;
    }

    /** One instance at a time starts: the one instance that registers meanwhile is it. */
    private Instance startInstance() throws Exception {
        Map<String, String> engineSettings = Map.of("leaseTime", settings.leaseTime.toSeconds() + "s",
                "workers", Integer.toString(settings.workers), "dataDirectory", dataDirectory.toString());
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            Set<String> before = jedis.smembers(prefix + "instances");
            // Steps get no network: the soak's engine has no bridge, and neither do the steps ask for one.
            DrayProcess process = DrayProcess.start(redis.url(), prefix, engine.host(), engineSettings, "", List.of(),
                    "  networkMode: none\n", Map.of());
            Set<String> registered = new HashSet<>(jedis.smembers(prefix + "instances"));
            registered.removeAll(before);
            if (registered.size() != 1) {
                process.close();
                throw new IllegalStateException("cannot tell the new instance's id among " + registered);
            }
            return new Instance(process, registered.iterator().next());
        }
    }

    private void submitJobs(Instant until) throws Exception {
        long pause = 60_000 / settings.jobsPerMinute;
        int number = 0;
        Instant lastReport = Instant.now();
        while (Instant.now().isBefore(until)) {
            Shape shape = Shape.values()[number % Shape.values().length];
            Optional<String> id = submit(shape.job(number));
            if (id.isPresent()) {
                submitted.add(new Submitted(id.get(), number, shape, Instant.now()));
                if (shape == Shape.CANCELLED) {
                    cancels.schedule(() -> cancel(id.get(), 3), 3, TimeUnit.SECONDS);
                }
            }
            number++;
            if (Duration.between(lastReport, Instant.now()).toSeconds() >= 60) {
                lastReport = Instant.now();
                log(submitted.size() + " jobs submitted, " + faults.size() + " faults so far");
            }
            Thread.sleep(pause);
        }
    }

    /** Through either instance; a refusal or no answer is counted and the job is not, unless it shows up later. */
    private Optional<String> submit(String job) {
        for (int tries = 0; tries < 2; tries++) {
            DrayClient client = client(tries);
            if (client == null) {
                continue;
            }
            try {
                HttpResponse<String> response = client.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
                if (response.statusCode() == 201) {
                    return Optional.of(JSON.readTree(response.body()).get("id").asText());
                }
                refusedSubmissions.merge("answered " + response.statusCode(), 1, Integer::sum);
            } catch (Exception e) {
                refusedSubmissions.merge("no answer (" + e.getClass().getSimpleName() + ")", 1, Integer::sum);
            }
        }
        return Optional.empty();
    }

    private void cancel(String id, int triesLeft) {
        DrayClient client = client(triesLeft);
        try {
            if (client != null) {
                int status = client.post("/jobs/" + id + "/cancel?reason=soak",
                        HttpRequest.BodyPublishers.noBody()).statusCode();
                if (status == 200 || status == 409) {
                    return;
                }
            }
        } catch (Exception e) {
            // tried again below, through the other instance
        }
        if (triesLeft > 0) {
            cancels.schedule(() -> cancel(id, triesLeft - 1), 1, TimeUnit.SECONDS);
        }
    }

    /** An instance that is up, the {@code n}th one counting round from a moving start; null if none is. */
    private synchronized DrayClient client(int n) {
        for (int i = 0; i < instances.length; i++) {
            Instance instance = instances[(n + i) % instances.length];
            if (instance != null) {
                return new DrayClient(instance.process.url(""));
            }
        }
        return null;
    }

    private void chaos() {
        int round = 0;
        while (!chaosOver) {
            try {
                sleepUnlessOver(settings.faultInterval);
                if (chaosOver) {
                    return;
                }
                switch (round % 4) {
                    case 0, 2 -> killInstance(round / 2 % 2);
                    case 1 -> restartRedis(round / 4 % 2 == 0 ? Duration.ZERO : settings.leaseTime.multipliedBy(2));
                    default -> restartDocker();
                }
                round++;
            } catch (Exception e) {
                log("fault round " + round + " failed, going on: " + e);
            }
        }
    }

    private void sleepUnlessOver(Duration duration) throws InterruptedException {
        Instant until = Instant.now().plus(duration);
        while (!chaosOver && Instant.now().isBefore(until)) {
            Thread.sleep(200);
        }
    }

    private void killInstance(int index) throws Exception {
        Instance victim;
        synchronized (this) {
            victim = instances[index];
            instances[index] = null;
        }
        Instant at = Instant.now();
        victim.process.kill();
        Thread.sleep(2_000);
        Instance restarted = restart();
        synchronized (this) {
            instances[index] = restarted;
        }
        record(new Fault(at, "kill -9 instance " + (index + 1), Duration.between(at, Instant.now()), victim.id));
    }

    /** Until it starts: a soak that went on with one instance would no longer test two. */
    private Instance restart() throws InterruptedException {
        while (true) {
            try {
                return startInstance();
            } catch (Exception e) {
                log("an instance did not start again, trying again: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }

    private void restartRedis(Duration down) throws Exception {
        Instant at = Instant.now();
        redis.stop();
        Thread.sleep(down.toMillis());
        redis.start();
        record(new Fault(at, down.isZero() ? "redis restart" : "redis outage", Duration.between(at, Instant.now()),
                null));
    }

    private void restartDocker() throws Exception {
        Instant at = Instant.now();
        engine.stop();
        engine.start();
        record(new Fault(at, "docker restart", Duration.between(at, Instant.now()), null));
    }

    private void record(Fault fault) {
        faults.add(fault);
        log(fault.kind + ", back after " + fault.outage.toMillis() + " ms");
    }

    /** The end of every job either instance lists or the soak submitted; a job still queued or running is lost. */
    private Map<String, JsonNode> awaitEnds(Instant deadline) throws Exception {
        Map<String, JsonNode> listed = Map.of();
        while (Instant.now().isBefore(deadline)) {
            try {
                listed = listJobs();
                if (allEnded(listed)) {
                    break;
                }
            } catch (Exception e) {
                log("listing the jobs failed, trying again: " + e);
            }
            Thread.sleep(2_000);
        }
        Map<String, JsonNode> ends = new HashMap<>();
        for (String id : listed.keySet()) {
            ends.put(id, client(0).status(id));
        }
        return ends;
    }

    private boolean allEnded(Map<String, JsonNode> listed) {
        return listed.values().stream().noneMatch(ChaosSoak::unended)
                && submitted.stream().allMatch(job -> listed.containsKey(job.id));
    }

    private static boolean unended(JsonNode job) {
        return job.get("status").asText().matches("queued|running");
    }

    private Map<String, JsonNode> listJobs() throws Exception {
        HttpResponse<String> response = client(0).get("/jobs");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /jobs answered " + response.statusCode());
        }
        Map<String, JsonNode> jobs = new HashMap<>();
        JSON.readTree(response.body()).forEach(job -> jobs.put(job.get("id").asText(), job));
        return jobs;
    }

    /** Dray removes containers just after their step ends, in the background: waits for those removals. */
    private int awaitNoContainers(Instant deadline) throws Exception {
        List<String> left = engine.containers();
        while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(1_000);
            left = engine.containers();
        }
        return left.size();
    }

    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        chaosOver = true;
        cancels.shutdownNow();
        for (Instance instance : instances) {
            quietly("stopping a Dray instance", () -> {
                if (instance != null) {
                    instance.process.close();
                }
            });
        }
        starts.close();
        quietly("removing the engine's containers", engine::removeContainers);
        quietly("stopping the soak's Docker engine", engine::close);
        quietly("stopping the soak's Redis", redis::close);
        quietly("removing the data directory", () -> {
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        });
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void quietly(String what, Action action) {
        try {
            action.run();
        } catch (Exception e) {
            System.err.println("soak: " + what + " failed: " + e);
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + message);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, "soak-" + name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * The shapes of job the soak submits in turn, each with how it should end. Each first step sleeps a few seconds
     * so that faults find steps running.
     */
    enum Shape {
        /** Step 1's stdout piped into step 2. */
        PIPE,
        /** Step 1 writes a file output channel; step 2 reads it on stdin. */
        FILE,
        /** Step 1 exits 3: the job ends in error, step 2 never runs. */
        FAILING,
        /** Step 1 runs long; the soak cancels the job after 3 s. */
        CANCELLED,
        /** Step 1 runs past its 3 s timeout. */
        TIMEOUT,
        /** Step 1 fails its first attempt and has one retry, which passes its output on. */
        RETRIED;

        String job(int n) {
            int sleep = 1 + n % 5;
            List<Map<String, Object>> steps = switch (this) {
                case PIPE -> List.of(step("sleep " + sleep + "; seq 1 " + (100 + n)),
                        step("tail -n 1 | sed s/^/last-/"));
                case FILE -> List.of(
                        with(step("sleep " + sleep + "; echo noise; echo file-" + n + " > /out/result"),
                                "output", "/out/result"),
                        step("sed s/^/got-/"));
                case FAILING -> List.of(step("sleep " + sleep + "; echo failing; exit 3"), step("cat"));
                case CANCELLED -> List.of(step("echo cancel-me; sleep 30"), step("cat"));
                case TIMEOUT -> List.of(with(step("echo slow; sleep 30"), "timeout", "3s"), step("cat"));
                case RETRIED -> List.of(
                        with(with(step("sleep " + sleep + "; if [ \"$DRAY_STEP_ATTEMPT\" = 1 ]; then exit 4; fi;"
                                + " echo retried-" + n), "retries", 1), "retryDelay", "1s"),
                        step("sed s/^/ok-/"));
            };
            try {
                return JSON.writeValueAsString(Map.of("name", "soak-" + name().toLowerCase() + "-" + n,
                        "steps", steps));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String expectedStatus() {
            return switch (this) {
                case PIPE, FILE, RETRIED -> "complete";
                case FAILING, TIMEOUT -> "error";
                case CANCELLED -> "cancelled";
            };
        }

        /** The last line of a complete job's log that is not Dray's own. */
        String expectedLastLine(int n) {
            return switch (this) {
                case PIPE -> "last-" + (100 + n);
                case FILE -> "got-file-" + n;
                case RETRIED -> "ok-retried-" + n;
                default -> null;
            };
        }

        /** Attempts a step may begin on its own, without a fault: its retries. */
        int designedAttempts(int step) {
            return this == RETRIED && step == 0 ? 2 : 1;
        }

        private static Map<String, Object> step(String script) {
            return Map.of("source", SH, "environment", List.of(Map.of("variable", "SCRIPT", "value", script)));
        }

        private static Map<String, Object> with(Map<String, Object> step, String field, Object value) {
            Map<String, Object> more = new HashMap<>(step);
            more.put(field, value);
            return more;
        }
    }

    /** One start of a step's container, as the engine's events tell it. */
    record ContainerStart(String container, String job, int step, int attempt, String instance, Instant at) {}

    /**
     * Follows the engine's container starts for the whole soak, and again after each restart of the engine (from
     * the last event seen: an engine forgets its events when it stops).
     */
    static final class ContainerStarts implements AutoCloseable {
        private final String host;
        private final Map<String, ContainerStart> byContainer = new ConcurrentHashMap<>();
        private volatile boolean closed;
        private volatile Process process;
        private volatile long sinceNanos = System.currentTimeMillis() * 1_000_000;

        ContainerStarts(String host) {
            this.host = host;
        }

        void follow() {
            Thread reader = new Thread(() -> {
                while (!closed) {
                    try {
                        read();
                        Thread.sleep(500);
                    } catch (Exception e) {
                        if (!closed) {
                            log("reading the engine's events: " + e + "; again");
                        }
                    }
                }
            }, "soak-container-starts");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() throws IOException, InterruptedException {
            String since = (sinceNanos / 1_000_000_000) + "." + String.format("%09d", sinceNanos % 1_000_000_000);
            process = new ProcessBuilder("docker", "-H", host, "events", "--since", since,
                    "--filter", "type=container", "--filter", "event=start", "--filter", "label=dray.job",
                    "--format", "{{json .}}").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    JsonNode event = JSON.readTree(line);
                    JsonNode labels = event.get("Actor").get("Attributes");
                    long nanos = event.get("timeNano").asLong();
                    sinceNanos = Math.max(sinceNanos, nanos);
                    String container = event.get("Actor").get("ID").asText();
                    byContainer.putIfAbsent(container, new ContainerStart(container, labels.get("dray.job").asText(),
                            labels.get("dray.step").asInt(), labels.get("dray.attempt").asInt(),
                            labels.get("dray.instance").asText(),
                            Instant.ofEpochSecond(0, nanos)));
                }
            }
            process.waitFor();
        }

        Map<String, List<ContainerStart>> byJobAndStep() {
            return byContainer.values().stream()
                    .sorted(Comparator.comparing(ContainerStart::at))
                    .collect(Collectors.groupingBy(start -> start.job + "/" + start.step, TreeMap::new,
                            Collectors.toList()));
        }

        @Override
        public void close() {
            closed = true;
            Process running = process;
            if (running != null) {
                running.destroy();
            }
        }
    }

    /** How every job ended, and what the engine's events say about how often each step ran. */
    private final class Report {
        private final Map<String, Integer> statuses = new TreeMap<>();
        private final Map<String, Integer> unexpectedEnds = new TreeMap<>();
        private final List<String> lost = new ArrayList<>();
        private final List<String> wrongOutput = new ArrayList<>();
        private final List<String> unexplained = new ArrayList<>();
        private final int containersLeft;
        private int unknownJobs;
        private int retriedRuns;
        private int takenOverRuns;
        private int stepsRunAgain;

        Report(Map<String, JsonNode> ends, int containersLeft) throws Exception {
            this.containersLeft = containersLeft;
            Set<String> ours = submitted.stream().map(Submitted::id).collect(Collectors.toSet());
            unknownJobs = (int) ends.keySet().stream().filter(id -> !ours.contains(id)).count();
            for (Map.Entry<String, JsonNode> end : ends.entrySet()) {
                String status = end.getValue().get("status").asText();
                statuses.merge(status, 1, Integer::sum);
                if (unended(end.getValue())) {
                    lost.add(end.getKey() + " still " + status);
                }
            }
            for (Submitted job : submitted) {
                JsonNode end = ends.get(job.id);
                if (end == null) {
                    lost.add(job.id + " (" + job.shape + " " + job.number + ") is not listed");
                } else if (!unended(end)) {
                    checkEnd(job, end);
                }
            }
            checkRuns(ends.keySet());
        }

        private void checkEnd(Submitted job, JsonNode end) throws Exception {
            String status = end.get("status").asText();
            if (!status.equals(job.shape.expectedStatus())) {
                String error = end.path("error").asText("");
                unexpectedEnds.merge(job.shape + " ended " + status + ": "
                        + error.replaceAll("[0-9a-f]{12,}", "…").replaceAll("\\d+", "N"), 1, Integer::sum);
                return;
            }
            String expected = job.shape.expectedLastLine(job.number);
            if (expected != null) {
                List<String> output = client(0).log(job.id).stream().filter(line -> !line.startsWith("[dray] "))
                        .toList();
                String last = output.isEmpty() ? "(none)" : output.get(output.size() - 1);
                if (!last.equals(expected)) {
                    wrongOutput.add(job.id + " (" + job.shape + " " + job.number + ") ends with " + last
                            + " instead of " + expected);
                }
            }
        }

        /**
         * A step whose container started more than once: each later start is explained by a retry of its own (its
         * shape retries and the attempt is within them), or by a take-over (a higher attempt, after the instance that
         * started the earlier container was killed, or after Redis was away longer than the lease while it ran);
         * anything else, such as two starts of one attempt, is unexplained. The attempt counter Dray keeps must also
         * cover every attempt started.
         */
        private void checkRuns(Set<String> jobs) {
            Map<String, Submitted> byId = submitted.stream().collect(Collectors.toMap(Submitted::id, job -> job));
            try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                for (Map.Entry<String, List<ContainerStart>> step : starts.byJobAndStep().entrySet()) {
                    List<ContainerStart> runs = step.getValue();
                    ContainerStart first = runs.get(0);
                    Submitted job = byId.get(first.job);
                    if (!jobs.contains(first.job)) {
                        unexplained.add(step.getKey() + ": containers of a job nobody lists");
                        continue;
                    }
                    String counted = jedis.hget(prefix + "job:" + first.job, "step:" + first.step + ":attempt");
                    int highest = runs.stream().mapToInt(ContainerStart::attempt).max().orElseThrow();
                    if (counted == null || Integer.parseInt(counted) < highest) {
                        unexplained.add(step.getKey() + ": attempt " + highest + " started, Dray counted " + counted);
                    }
                    if (runs.size() > 1) {
                        stepsRunAgain++;
                    }
                    for (int i = 1; i < runs.size(); i++) {
                        ContainerStart before = runs.get(i - 1);
                        ContainerStart again = runs.get(i);
                        if (again.attempt <= before.attempt) {
                            unexplained.add(step.getKey() + ": attempt " + again.attempt + " started again at "
                                    + again.at + " (before: attempt " + before.attempt + " at " + before.at + ")");
                        } else if (job != null && again.attempt <= job.shape.designedAttempts(again.step)) {
                            retriedRuns++;
                        } else if (faults.stream().anyMatch(fault -> fault.explainsTakeOver(before.instance,
                                before.at, again.at, settings.leaseTime))) {
                            takenOverRuns++;
                        } else {
                            unexplained.add(step.getKey() + ": attempt " + again.attempt + " at " + again.at
                                    + " with no fault to explain a take-over since attempt " + before.attempt
                                    + " at " + before.at + " on instance " + before.instance);
                        }
                    }
                }
            }
        }

        boolean failed() {
            return !lost.isEmpty() || containersLeft > 0 || !unexplained.isEmpty() || !wrongOutput.isEmpty();
        }

        void print(Instant began) {
            System.out.println();
            System.out.println("Soak of " + Duration.between(began, Instant.now()).toMinutes() + " min, began "
                    + began.truncatedTo(ChronoUnit.SECONDS) + ", commit " + settings.commit);
            System.out.println(settings);
            System.out.println("faults: " + faults.stream().collect(Collectors.groupingBy(Fault::kind, TreeMap::new,
                    Collectors.counting())));
            System.out.println();
            System.out.println("| submitted | complete | error | cancelled | lost | duplicated (unexplained) "
                    + "| containers left |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
            System.out.println("| " + submitted.size() + " | " + statuses.getOrDefault("complete", 0) + " | "
                    + statuses.getOrDefault("error", 0) + " | " + statuses.getOrDefault("cancelled", 0) + " | "
                    + lost.size() + " | " + unexplained.size() + " | " + containersLeft + " |");
            System.out.println();
            System.out.println("steps whose container started more than once: " + stepsRunAgain
                    + " (later starts: " + retriedRuns + " retries by design, " + takenOverRuns
                    + " after a take-over, " + unexplained.size() + " unexplained)");
            System.out.println("complete jobs with a wrong last line: " + wrongOutput.size());
            System.out.println("submissions refused or unanswered: " + refusedSubmissions
                    + "; jobs listed that the soak never had an id for: " + unknownJobs);
            System.out.println("jobs that ended otherwise than their shape: "
                    + unexpectedEnds.values().stream().mapToInt(Integer::intValue).sum());
            unexpectedEnds.forEach((end, count) -> System.out.println("  " + count + " × " + end));
            Stream.of(lost, wrongOutput, unexplained).flatMap(List::stream)
                    .forEach(problem -> System.out.println("PROBLEM " + problem));
        }
    }
}
