package io.dray.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker engine as the tests use it, through the docker CLI: the example images, built FROM scratch with
 * Debian's static busybox (no registry is reachable here), a local registry on 127.0.0.1:5000 for pulls, and the
 * containers Dray left.
 */
public final class TestDocker {
    /** Runs the shell script in its SCRIPT variable: one image for every behaviour a test needs from a step. */
    public static final String SH = "dray-example/sh:latest";
    public static final String REGISTRY = "127.0.0.1:5000";
    private static final String BUSYBOX = "dray-example/busybox:latest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean built;

    private TestDocker() {}

    /** Builds the example images (scripts/example-images) once per test JVM; each build takes about a second. */
    public static synchronized void buildImages() {
        if (!built) {
            run(List.of("bash", "scripts/example-images"), true);
            built = true;
        }
    }

    /** An image whose command is {@code sh -c script}. */
    public static void buildScript(String tag, String script) {
        try {
            String cmd = JSON.writeValueAsString(List.of("sh", "-c", script));
            build(tag, "FROM " + BUSYBOX + "\nCMD " + cmd + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(String tag, String dockerfile) {
        try {
            Path context = Files.createTempDirectory("dray-image-");
            try {
                Files.writeString(context.resolve("Dockerfile"), dockerfile);
                docker("build", "-q", "-t", tag, context.toString());
            } finally {
                Files.deleteIfExists(context.resolve("Dockerfile"));
                Files.deleteIfExists(context);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pushes a script image to the local registry under {@code name}, then removes it locally; returns the name. */
    public static String pushScript(String name, String script) {
        buildScript(name, script);
        docker("push", name);
        return name;
    }

    /** Removes an image if it is there. */
    public static void removeImage(String name) {
        run(List.of("docker", "rmi", "-f", name), false);
    }

    public static String imageId(String name) {
        return docker("image", "inspect", "--format", "{{.Id}}", name).trim();
    }

    public static boolean imageExists(String nameOrId) {
        return run(List.of("docker", "image", "inspect", nameOrId), false).exitCode == 0;
    }

    /**
     * Waits until no container of these jobs is left on the engine; fails the test after 30 s. One listing of every
     * Dray container a poll, however many jobs.
     */
    public static void awaitNoContainersOf(java.util.Collection<String> jobIds) {
        java.util.Set<String> jobs = java.util.Set.copyOf(jobIds);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                Arrays.stream(docker("ps", "-a", "--filter", "label=dray.job", "--format", "{{.Label \"dray.job\"}}")
                        .split("\\s+")).noneMatch(jobs::contains));
    }

    public static void awaitNoContainersOf(String jobId) {
        awaitNoContainersOf(List.of(jobId));
    }

    /** Containers labelled as Dray's for the job, running or not. */
    public static List<String> containersOfJob(String jobId) {
        String out = docker("ps", "-aq", "--filter", "label=dray.job=" + jobId).trim();
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\\s+"));
    }

    public static String docker(String... args) {
        return docker(Map.of(), "", args);
    }

    /**
     * The docker CLI with more environment variables, e.g. a {@code DOCKER_CONFIG} of the test's own, and text on its
     * stdin, e.g. a password for {@code docker login --password-stdin}.
     */
    public static String docker(Map<String, String> environment, String input, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(command, environment, input, true).output;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, boolean mustSucceed) {
        return run(command, Map.of(), "", mustSucceed);
    }

    private static Result run(List<String> command, Map<String, String> environment, String input, boolean mustSucceed) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " timed out");
            }
            if (mustSucceed && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
