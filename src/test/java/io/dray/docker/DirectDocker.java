package io.dray.docker;

import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmarks' floor: the same work as a Dray step done straight on the Docker Engine API from the benchmark's own
 * process (create, attach, start, feed stdin, read stdout, wait, remove), with no queue, no Redis and no HTTP.
 */
public final class DirectDocker implements AutoCloseable {
    private final DockerEngine docker = new DockerFactory().build();
    private final ExecutorService stdinWriters = Executors.newCachedThreadPool();

    /** What a step left: its exit code, its stdout (if kept), and how many bytes and lines it wrote. */
    public record Result(int exitCode, byte[] stdout, long bytes, long lines) {}

    /**
     * @param input stdin, or null for none
     * @param outputFile a host file to mount at {@code containerPath}, or null
     * @param keepStdout whether to keep stdout in memory (else it is only counted)
     */
    public Result run(String image, Map<String, String> env, InputStream input, Path outputFile, String containerPath,
            boolean keepStdout) throws IOException {
        HostConfig host = HostConfig.newHostConfig().withLogConfig(new LogConfig(LogConfig.LoggingType.NONE));
        if (outputFile != null) {
            host.withMounts(List.of(new Mount().withType(MountType.BIND).withSource(outputFile.toString()).withTarget(containerPath)));
        }
        boolean stdin = input != null;
        String id = docker.commands().createContainerCmd(image)
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withAttachStdout(true).withAttachStderr(true)
                .withAttachStdin(stdin).withStdinOpen(stdin).withStdInOnce(stdin)
                .withHostConfig(host)
                .exec().getId();
        try (ContainerAttachment attachment = docker.attach(id, stdin)) {
            docker.commands().startContainerCmd(id).exec();
            Future<?> writer = stdin ? stdinWriters.submit(() -> attachment.sendStdin(input)) : null;
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            long[] counts = new long[2];
            attachment.readFrames((stream, bytes, offset, length) -> {
                if (stream == 1) {
                    counts[0] += length;
                    for (int i = offset; i < offset + length; i++) {
                        if (bytes[i] == '\n') {
                            counts[1]++;
                        }
                    }
                    if (keepStdout) {
                        kept.write(bytes, offset, length);
                    }
                }
            });
            if (writer != null) {
                writer.cancel(true);
            }
            int exit = docker.streams().waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
            return new Result(exit, kept.toByteArray(), counts[0], counts[1]);
        } finally {
            docker.commands().removeContainerCmd(id).withForce(true).exec();
        }
    }

    public static InputStream bytes(byte[] data) {
        return new ByteArrayInputStream(data);
    }

    @Override
    public void close() throws IOException {
        stdinWriters.shutdownNow();
        docker.stop();
    }
}
