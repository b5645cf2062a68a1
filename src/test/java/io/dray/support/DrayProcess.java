package io.dray.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * A real Dray process ({@code java -jar target/dray.jar server}), so that a test can kill it for real: kill -9 or
 * SIGTERM. Its config is written under target/ from the settings the test gives.
 */
public final class DrayProcess implements AutoCloseable {
    /** By its absolute path, which is what a class-data archive made by scripts/class-archive expects. */
    public static final Path JAR = Path.of("target", "dray.jar").toAbsolutePath();
    /** The JVM options Dray ships with (scripts/run and the image use them too). */
    private static final Path JVM_OPTIONS = Path.of("jvm.options").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;
    private final int adminPort;
    private final Process process;
    private final Path log;
    private final long launched;
    private Duration startUp;

    private DrayProcess(int port, int adminPort, Process process, Path log, long launched) {
        this.port = port;
        this.adminPort = adminPort;
        this.process = process;
        this.log = log;
        this.launched = launched;
    }

    /**
     * Starts an instance and waits until its health check is green.
     *
     * @param engine lines of the {@code engine:} section, e.g. {@code leaseTime: 2s}
     */
    public static DrayProcess start(String redisUrl, String keyPrefix, Map<String, String> engine) throws Exception {
        return start(redisUrl, keyPrefix, "unix:///var/run/docker.sock", engine);
    }

    public static DrayProcess start(String redisUrl, String keyPrefix, String dockerHost, Map<String, String> engine)
            throws Exception {
        return start(redisUrl, keyPrefix, dockerHost, engine, "");
    }

    /** @param moreConfig YAML appended to the config, e.g. a {@code security:} section */
    public static DrayProcess start(String redisUrl, String keyPrefix, String dockerHost, Map<String, String> engine,
            String moreConfig) throws Exception {
        return start(redisUrl, keyPrefix, dockerHost, engine, moreConfig, List.of());
    }

    /** @param jvmOptions options of the Dray JVM, e.g. {@code -XX:StartFlightRecording} for a profile */
    public static DrayProcess start(String redisUrl, String keyPrefix, String dockerHost, Map<String, String> engine,
            String moreConfig, List<String> jvmOptions) throws Exception {
        return start(redisUrl, keyPrefix, dockerHost, engine, moreConfig, jvmOptions, "", Map.of());
    }

    /**
     * @param moreDocker YAML lines added to the {@code docker:} section, indented by two spaces
     * @param environment Dray's environment variables besides the test's own, e.g. {@code LOG_LEVEL}
     */
    public static DrayProcess start(String redisUrl, String keyPrefix, String dockerHost, Map<String, String> engine,
            String moreConfig, List<String> jvmOptions, String moreDocker, Map<String, String> environment)
            throws Exception {
        return healthyOrClosed(launch(redisUrl, keyPrefix, dockerHost, engine, moreConfig, jvmOptions, moreDocker,
                environment));
    }

    /** The instance once its health check is green, its start-up timed; closed if it never is. */
    private static DrayProcess healthyOrClosed(DrayProcess dray) throws Exception {
        try {
            dray.awaitHealthy(Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            dray.close(); // the caller never gets it to close
            throw e;
        }
        dray.startUp = Duration.ofNanos(System.nanoTime() - dray.launched);
        return dray;
    }

    /**
     * Starts an instance and waits until its admin port answers, healthy or not.
     *
     * @param redisUrl the config's {@code redis.url}: a URL, or e.g. {@code ${REDIS_URL}} to take it from the
     *     environment as config.yml does
     * @param environment variables the process has on top of this one's, e.g. {@code LOG_LEVEL}, which the config's
     *     {@code logging.level} takes as config.yml does
     */
    public static DrayProcess startAnswering(String redisUrl, String keyPrefix, Map<String, String> engine,
            String moreConfig, Map<String, String> environment) throws Exception {
        DrayProcess dray = launch(redisUrl, keyPrefix, "unix:///var/run/docker.sock", engine, moreConfig, List.of(),
                "", environment);
        dray.awaitAnswering(Duration.ofSeconds(60));
        return dray;
    }

    private static DrayProcess launch(String redisUrl, String keyPrefix, String dockerHost, Map<String, String> engine,
            String moreConfig, List<String> jvmOptions, String moreDocker, Map<String, String> environment)
            throws Exception {
        int port = freePort();
        int adminPort = freePort();
        StringBuilder config = new StringBuilder("""
                server:
                  applicationConnectors: [{type: http, port: %d}]
                  adminConnectors: [{type: http, port: %d}]
                  requestLog: {appenders: []}
                %sredis:
                  url: "%s"
                  caFile: "${REDIS_CA_FILE:-}"
                  sentinels: "${REDIS_SENTINELS:-}"
                  masterName: "${REDIS_MASTER_NAME:-mymaster}"
                  keyPrefix: "%s"
                docker:
                  host: "%s"
                  stopGrace: 2s
                %sengine:
                """.formatted(port, adminPort,
                // moreConfig may bring its own logging section, e.g. with loggers named on purpose
                moreConfig.startsWith("logging:") || moreConfig.contains("\nlogging:") ? ""
                        : "logging:\n  level: ${LOG_LEVEL:-INFO}\n",
                redisUrl, keyPrefix, dockerHost, moreDocker));
        engine.forEach((key, value) -> config.append("  ").append(key).append(": \"").append(value).append("\"\n"));
        config.append(moreConfig);
        Path directory = Files.createDirectories(Path.of("target", "dray-processes"));
        Path configFile = directory.resolve("config-" + port + ".yml");
        Path log = directory.resolve("dray-" + port + ".log");
        Files.writeString(configFile, config);
        return exec(port, adminPort, configFile, log, jvmOptions, environment);
    }

    /**
     * Starts an instance on a given configuration file (e.g. config.yml as shipped, whose ports it sets through
     * {@code DRAY_PORT} and {@code DRAY_ADMIN_PORT}) and waits until its health check is green.
     *
     * @param jvmOptions e.g. {@code -Ddw.redis.keyPrefix=...}, Dropwizard's override of one setting
     * @param environment the variables the file reads, e.g. {@code DRAY_WORKERS}
     */
    public static DrayProcess startWithConfig(Path configFile, List<String> jvmOptions, Map<String, String> environment)
            throws Exception {
        int port = freePort();
        int adminPort = freePort();
        Path directory = Files.createDirectories(Path.of("target", "dray-processes"));
        Map<String, String> variables = new java.util.HashMap<>(environment);
        variables.put("DRAY_PORT", Integer.toString(port));
        variables.put("DRAY_ADMIN_PORT", Integer.toString(adminPort));
        return healthyOrClosed(exec(port, adminPort, configFile.toAbsolutePath(),
                directory.resolve("dray-" + port + ".log"), jvmOptions, variables));
    }

    private static DrayProcess exec(int port, int adminPort, Path configFile, Path log, List<String> jvmOptions,
            Map<String, String> environment) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "@" + JVM_OPTIONS));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString(), "server", configFile.toString()));
        long launched = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only the test decides the variables this config reads, not the shell that runs the tests.
        builder.environment().keySet().removeIf(name -> name.startsWith("DRAY_") || List.of("LOG_LEVEL",
                "REDIS_CA_FILE", "REDIS_SENTINELS", "REDIS_MASTER_NAME").contains(name));
        builder.environment().putAll(environment);
        return new DrayProcess(port, adminPort, builder.start(), log, launched);
    }

    /** How long ago the JVM was launched. */
    public Duration sinceLaunch() {
        return Duration.ofNanos(System.nanoTime() - launched);
    }

    /** The process's resident memory (VmRSS), in bytes. */
    public long residentMemory() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    public long pid() {
        return process.pid();
    }

    /** From launching the JVM to the first green health check, to within a poll of it. */
    public Duration startUp() {
        return startUp;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String adminUrl(String path) {
        return "http://127.0.0.1:" + adminPort + path;
    }

    public void awaitHealthy(Duration timeout) throws Exception {
        awaitHealthCheck(timeout, status -> status == 200, "Dray did not become healthy: ");
    }

    private void awaitAnswering(Duration timeout) throws Exception {
        awaitHealthCheck(timeout, status -> true, "Dray's admin port did not answer: ");
    }

    private void awaitHealthCheck(Duration timeout, IntPredicate awaited, String failure) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Dray exited at start-up: " + Files.readString(log));
            }
            try {
                HttpResponse<Void> health = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl("/healthcheck"))).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (awaited.test(health.statusCode())) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            // Often enough that the wait adds little to the benchmark's start-up figure.
            Thread.sleep(20);
        }
        throw new IllegalStateException(failure + Files.readString(log));
    }

    /** kill -9: no shutdown hook, no clean-up, exactly like a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the graceful shutdown to end. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Dray did not stop within " + timeout);
        }
        return process.exitValue();
    }

    /** CPU time the process used so far (user and system), from /proc. */
    public Duration cpuTime() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
