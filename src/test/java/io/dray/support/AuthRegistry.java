package io.dray.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Debian docker-registry of a test's own on a free loopback port, that asks for a user and password (htpasswd,
 * bcrypt, made by {@code htpasswd -Bbn} from apache2-utils). The Docker engine trusts a registry on 127.0.0.1 without
 * TLS. The test's pushes log in with a {@code DOCKER_CONFIG} of their own: root's ~/.docker is never written.
 */
public final class AuthRegistry implements AutoCloseable {
    private final String username;
    private final String password;
    private final int port;
    private final Path directory;
    private final Process process;

    private AuthRegistry(String username, String password, int port, Path directory, Process process) {
        this.username = username;
        this.password = password;
        this.port = port;
        this.directory = directory;
        this.process = process;
    }

    /** Starts the registry and waits until it answers, asking for credentials. */
    public static AuthRegistry start(String username, String password) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path directory = Files.createTempDirectory("dray-auth-registry-");
        Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", username, password).start();
        htpasswd.getOutputStream().close();
        String entry = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!htpasswd.waitFor(30, TimeUnit.SECONDS) || htpasswd.exitValue() != 0 || entry.isBlank()) {
            throw new IllegalStateException("htpasswd (apache2-utils) failed: is it installed? scripts/setup.sh installs it");
        }
        Files.writeString(directory.resolve("htpasswd"), entry);
        Files.writeString(directory.resolve("registry.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                auth:
                  htpasswd:
                    realm: dray-test
                    path: %s
                """.formatted(directory.resolve("data"), port, directory.resolve("htpasswd")));
        Process process = new ProcessBuilder("docker-registry", "serve", directory.resolve("registry.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("registry.log").toFile())
                .start();
        AuthRegistry registry = new AuthRegistry(username, password, port, directory, process);
        registry.awaitAskingForCredentials();
        return registry;
    }

    private void awaitAskingForCredentials() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 401) {
                    return;
                }
                throw new IllegalStateException("the registry on " + address() + " answered " + answer.statusCode()
                        + " without credentials");
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("docker-registry did not start on " + address() + ": "
                + Files.readString(directory.resolve("registry.log")));
    }

    /** {@code 127.0.0.1:<port>}, as images name it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Writes the config.json that {@code docker login} makes into this directory (its {@code auth} entry). */
    public void login(Path dockerConfig) {
        TestDocker.docker(Map.of("DOCKER_CONFIG", dockerConfig.toString()), password,
                "login", "--username", username, "--password-stdin", address());
    }

    /** Builds a script image, pushes it here under {@code name} (logged in), then removes it locally. */
    public void pushScript(String name, String script) throws IOException {
        Path dockerConfig = Files.createTempDirectory("dray-docker-login-");
        try {
            login(dockerConfig);
            TestDocker.buildScript(name, script);
            TestDocker.docker(Map.of("DOCKER_CONFIG", dockerConfig.toString()), "", "push", name);
            TestDocker.removeImage(name);
        } finally {
            deleteRecursively(dockerConfig);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        deleteRecursively(directory);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
