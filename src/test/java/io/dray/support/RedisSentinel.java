package io.dray.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A redis-sentinel of a test's own on a free loopback port, monitoring one master under a name. */
public final class RedisSentinel implements AutoCloseable {
    private final int port;
    private final Path directory;
    private final Process process;

    /**
     * Starts it: the master is deemed down after {@code downAfter} without an answer, and a quorum of two sentinels
     * fails it over.
     */
    public RedisSentinel(String masterName, int masterPort, Duration downAfter) throws IOException, InterruptedException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        directory = Files.createTempDirectory("dray-sentinel-");
        Path config = directory.resolve("sentinel.conf"); // a sentinel rewrites its config: it must be its own file
        Files.writeString(config, """
                port %d
                bind 127.0.0.1
                dir %s
                sentinel monitor %s 127.0.0.1 %d 2
                sentinel down-after-milliseconds %s %d
                sentinel failover-timeout %s 10000
                sentinel parallel-syncs %s 1
                """.formatted(port, directory, masterName, masterPort, masterName, downAfter.toMillis(), masterName,
                masterName));
        process = new ProcessBuilder("redis-sentinel", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("sentinel.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-sentinel did not start: " + Files.readString(directory.resolve("sentinel.log")));
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
