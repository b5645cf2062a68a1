package io.dray.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of a test's own, beside the main one: its own socket, data root and exec root, no bridge. A test can
 * stop and restart it for real without disturbing the engine every other test uses, and it restarts fast because it
 * holds only what the test put there.
 */
public final class SecondDockerEngine implements AutoCloseable {
    private final Path root;
    private final String socket;
    private final String execRoot;
    private final String pidFile;

    /** The engine the integration tests share: one test at a time uses it. */
    public SecondDockerEngine() {
        this(Path.of("/var/tmp/dray-dev/docker-second"), "test");
    }

    /**
     * An engine of its own for a user that runs beside the tests (scripts/soak), so that neither stops the other's.
     *
     * @param name in the socket's, exec root's and data root's names: {@code /var/run/dray-<name>-docker.sock}
     */
    public SecondDockerEngine(String name) {
        this(Path.of("/var/tmp/dray-dev/docker-" + name), name);
    }

    private SecondDockerEngine(Path root, String name) {
        this.root = root;
        this.socket = "/var/run/dray-" + name + "-docker.sock";
        this.execRoot = "/var/run/dray-" + name + "-docker";
        this.pidFile = "/var/run/dray-" + name + "-docker.pid";
    }

    public String host() {
        return "unix://" + socket;
    }

    public void start() throws Exception {
        Files.createDirectories(root.resolve("data"));
        String command = "setsid dockerd --data-root " + root.resolve("data") + " --exec-root " + execRoot
                + " --pidfile " + pidFile + " -H " + host()
                + " --iptables=false --ip-masq=false --bridge=none > " + root.resolve("dockerd.log") + " 2>&1 < /dev/null &";
        shell(command);
        for (int i = 0; i < 600 && !answers(); i++) {
            Thread.sleep(100);
        }
        if (!answers()) {
            throw new IllegalStateException("the second Docker engine did not start: " + Files.readString(root.resolve("dockerd.log")));
        }
    }

    /** Copies an image of the main engine into this one. */
    public void load(String image) throws Exception {
        shell("docker save " + image + " | docker -H " + host() + " load -q");
    }

    /** SIGTERM, as a service manager stops it, and waits until it is gone. */
    public void stop() throws Exception {
        shell("pid=$(cat " + pidFile + " 2>/dev/null) && kill -TERM $pid && while kill -0 $pid 2>/dev/null; do sleep 0.1; done; true");
    }

    /** Freezes the engine (SIGSTOP): it keeps its connections open and answers nothing, as an engine that stalls. */
    public void pause() throws Exception {
        shell("kill -STOP $(cat " + pidFile + ")");
    }

    /** Thaws a paused engine (SIGCONT). */
    public void resume() throws Exception {
        shell("kill -CONT $(cat " + pidFile + ")");
    }

    public List<String> containersOfJob(String jobId) throws Exception {
        String out = shell("docker -H " + host() + " ps -aq --filter label=dray.job=" + jobId).trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Every container on this engine, running or not, whoever made it. */
    public List<String> containers() throws Exception {
        String out = shell("docker -H " + host() + " ps -aq").trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Removes every container on this engine, by force. */
    public void removeContainers() throws Exception {
        for (String container : containers()) {
            shell("docker -H " + host() + " rm -f " + container + " > /dev/null");
        }
    }

    private boolean answers() {
        try {
            shell("docker -H " + host() + " info > /dev/null");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        resume(); // a paused engine would not act on the SIGTERM
        stop();
    }

    private static String shell(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
        return output;
    }
}
