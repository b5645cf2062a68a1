package io.dray.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A redis-server of a test's own, on a free loopback port, with the options the test gives (a password, TLS), that
 * the test can stop and start again without losing data.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path directory;
    private final CertificateAuthority.ServerCertificate tls;
    private final List<String> options;
    private Process process;

    /** @param options more redis-server options, e.g. {@code "--requirepass", password} */
    public RedisServer(String... options) throws IOException {
        this(null, options);
    }

    private RedisServer(CertificateAuthority.ServerCertificate tls, String... options) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        directory = Files.createTempDirectory("dray-redis-");
        this.tls = tls;
        this.options = List.of(options);
    }

    /** A Redis that speaks only TLS on its port, with this certificate, and asks clients for none. */
    public static RedisServer withTls(CertificateAuthority.ServerCertificate certificate, String... options)
            throws IOException {
        return new RedisServer(certificate, options);
    }

    public int port() {
        return port;
    }

    public String url() {
        return (tls == null ? "redis" : "rediss") + "://127.0.0.1:" + port;
    }

    /** @param userInfo e.g. {@code ":password"} or {@code "user:password"} */
    public String url(String userInfo) {
        return url().replace("://", "://" + userInfo + "@");
    }

    public void start() throws IOException, InterruptedException {
        // Every write is on disk before Redis answers, so that a restart loses nothing: the outage, not data loss.
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", directory.toString()));
        if (tls == null) {
            command.addAll(List.of("--port", Integer.toString(port)));
        } else {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", tls.certificate().toString(), "--tls-key-file", tls.key().toString(),
                    "--tls-auth-clients", "no"));
        }
        command.addAll(options);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("redis.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port + ": "
                + Files.readString(directory.resolve("redis.log")));
    }

    /** Every write this Redis received, as its append-only files hold them. */
    public String writes() throws IOException {
        StringBuilder writes = new StringBuilder();
        try (Stream<Path> files = Files.walk(directory.resolve("appendonlydir"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                writes.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        return writes.toString();
    }

    /** Freezes the server (SIGSTOP): it keeps its connections open and answers nothing, as a Redis that stalls. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Thaws a paused server (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " failed");
        }
    }

    /** Kills the server at once (SIGKILL), as a machine lost would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
            process = null;
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            try { // a paused server would not act on the SIGTERM: thaw it first
                resume();
            } catch (IOException | IllegalStateException e) {
                // it is gone already
            }
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
