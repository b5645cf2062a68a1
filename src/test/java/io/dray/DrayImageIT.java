package io.dray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dray.support.DrayClient;
import io.dray.support.TestDocker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dray's own image, as users run it: built from the Dockerfile on a Java 17 base made from Debian's packages
 * (scripts/base-image), started with the Docker socket mounted, once with {@code docker run} and once with
 * docker-compose. Host networking on loopback: these machines give containers no other network.
 */
class DrayImageIT {
    private static final String BASE = "dray-base/debian-jre17:bookworm";
    private static final String IMAGE = "dray:it";
    private static final String FILE_JOB = """
            {"steps": [
              {"source": "dray-example/sh", "output": "/out/words.txt",
               "environment": [{"variable": "SCRIPT", "value": "echo to-log; echo in-file > /out/words.txt"}]},
              {"source": "dray-example/upper"}]}""";

    @BeforeAll
    static void buildImage() {
        TestDocker.buildImages();
        command(List.of("bash", "scripts/base-image"), Map.of());
        TestDocker.docker("build", "-q", "--build-arg", "BASE_IMAGE=" + BASE, "-t", IMAGE, ".");
    }

    @Test
    void theImageRunsAsNonRootWithTheSocketMountedAndRunsJobsWithEveryOutputChannel() throws Exception {
        int port = freePort();
        int adminPort = freePort();
        String dataDir = "/tmp/dray-it-" + UUID.randomUUID();
        String name = "dray-image-it-" + port;
        TestDocker.docker("run", "-d", "--name", name, "--network", "host",
                "-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/tmp:/tmp",
                "--group-add", socketGroup(),
                "-e", "DRAY_PORT=" + port, "-e", "DRAY_ADMIN_PORT=" + adminPort, "-e", "DRAY_DATA_DIR=" + dataDir,
                // The original's way to find Redis: the variable a Docker link sets.
                "-e", "REDIS_PORT=tcp://127.0.0.1:6379",
                IMAGE);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    TestDocker.docker("inspect", "--format", "{{.State.Health.Status}}", name).trim().equals("healthy"));
            assertThat(TestDocker.docker("exec", name, "id", "-u").trim()).isEqualTo("10001");

            assertExampleJobRuns(new DrayClient("http://127.0.0.1:" + port));
            assertDashboardIsServed(new DrayClient("http://127.0.0.1:" + port));
            DrayClient client = new DrayClient("http://127.0.0.1:" + port);
            String fileJob = client.submit(FILE_JOB);
            assertThat(client.awaitFinished(fileJob, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("complete");
            assertThat(client.log(fileJob)).containsExactly("to-log", "IN-FILE");
            // The command-line client is in the image, on the PATH, and reaches the server at its own DRAY_URL.
            assertThat(TestDocker.docker("exec", "-e", "DRAY_URL=http://127.0.0.1:" + port, name, "dray", "get", fileJob))
                    .contains("\"status\" : \"complete\"");
            TestDocker.awaitNoContainersOf(fileJob);
            try (var left = Files.list(Path.of(dataDir))) {
                assertThat(left).as("output files left in the data directory").isEmpty();
            }
        } finally {
            TestDocker.docker("rm", "-f", name);
            command(List.of("rm", "-rf", dataDir), Map.of());
        }
    }

    @Test
    void dockerComposeStartsDrayAndRedisThatWorkTogether() throws Exception {
        int port = freePort();
        int redisPort = freePort();
        String project = "dray-it-" + port;
        String dataDir = "/tmp/dray-it-" + UUID.randomUUID();
        Path composeFile = hostNetworkVariantOfTheComposeFile(redisPort);
        Map<String, String> env = Map.of(
                "DRAY_IMAGE", IMAGE, "REDIS_IMAGE", BASE, "REDIS_URL", "redis://127.0.0.1:" + redisPort,
                "DRAY_PORT", Integer.toString(port), "DRAY_ADMIN_PORT", Integer.toString(freePort()),
                "DRAY_DATA_DIR", dataDir, "DOCKER_GID", socketGroup());
        List<String> compose = List.of("docker-compose", "-p", project, "-f", composeFile.toString());
        try {
            command(concat(compose, "up", "-d", "--no-build"), env);
            DrayClient client = new DrayClient("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> client.get("/jobs").statusCode() == 200);
            assertExampleJobRuns(client);
            assertDashboardIsServed(client);
            String fileJob = client.submit(FILE_JOB);
            client.awaitFinished(fileJob, Duration.ofSeconds(60));
            assertThat(client.log(fileJob)).containsExactly("to-log", "IN-FILE");
        } finally {
            command(concat(compose, "down", "-t", "5"), env);
            Files.deleteIfExists(composeFile);
            command(List.of("rm", "-rf", dataDir), Map.of());
        }
    }

    /**
     * The shipped docker-compose.yml with host networking instead of a compose network (these machines give containers
     * no bridge), so without its published port, and a Redis on a port of its own. Everything else is as shipped.
     */
    @SuppressWarnings("unchecked")
    private static Path hostNetworkVariantOfTheComposeFile(int redisPort) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, Object> compose = yaml.readValue(Path.of("docker-compose.yml").toFile(), Map.class);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        services.get("dray").remove("ports");
        services.get("dray").put("network_mode", "host");
        services.get("redis").put("network_mode", "host");
        services.get("redis").put("command", List.of("redis-server", "--bind", "127.0.0.1", "--port",
                Integer.toString(redisPort), "--save", "", "--appendonly", "no"));
        // Relative paths (build: .) stay relative to the project.
        Path file = Path.of("target", "docker-compose-host-" + redisPort + ".yml").toAbsolutePath();
        services.get("dray").put("build", Path.of("").toAbsolutePath().toString());
        yaml.writeValue(file.toFile(), compose);
        return file;
    }

    /** The dashboard's page and scripts come from the jar: the image serves them as the jar does. */
    private static void assertDashboardIsServed(DrayClient client) throws Exception {
        assertThat(client.get("/ui/jobs/any-job").body()).startsWith("<!doctype html>");
        assertThat(client.get("/ui/app.js").statusCode()).isEqualTo(200);
    }

    private static void assertExampleJobRuns(DrayClient client) throws Exception {
        String id = client.submit(Files.readString(Path.of("examples/word-job.json")));
        JsonNode status = client.awaitFinished(id, Duration.ofSeconds(60));
        assertThat(status.get("status").asText()).isEqualTo("complete");
        assertThat(status.get("stepsCompleted").asInt()).isEqualTo(3);
        List<String> lines = client.log(id);
        assertThat(lines).hasSize(30);
        for (int i = 0; i < 10; i++) {
            assertThat(lines.get(20 + i)).isEqualTo(new StringBuilder(lines.get(i).toUpperCase()).reverse().toString());
        }
        TestDocker.awaitNoContainersOf(id);
    }

    private static String socketGroup() throws IOException {
        return Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> concat(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    private static void command(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
