package io.dray.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.PullResponseItem;
import io.dray.core.JobLog;
import io.dray.core.OutputChannel;
import io.dray.core.Spool;
import io.dray.core.SpoolDirectory;
import io.dray.core.StepData;
import io.dray.core.StepFailedException;
import io.dray.core.StepOutcome;
import io.dray.core.StepRun;
import io.dray.core.StepRunner;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step as one container: pull its image if needed, create it, attach to it, start it, feed it the previous
 * step's data, route its stdout and stderr to the job log and to the next step, wait for its exit code, remove it.
 */
public final class DockerStepRunner implements StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DockerStepRunner.class);
    public static final String JOB_LABEL = "dray.job";
    public static final String STEP_LABEL = "dray.step";
    public static final String INSTANCE_LABEL = "dray.instance";
    public static final String ATTEMPT_LABEL = "dray.attempt";
    /** The store's key prefix: deployments that share an engine but not a store never touch each other's containers. */
    public static final String NAMESPACE_LABEL = "dray.namespace";
    private static final Pattern DOCKER_ERROR = Pattern.compile("\\{\\s*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    /** 128 + SIGKILL. */
    private static final int KILLED = 137;

    private final DockerEngine docker;
    private final SpoolDirectory spools;
    private final ExecutorService background;
    private final String namespace;
    /** Containers whose removal failed (the engine was down): removed by {@link #retryCleanUp()}. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();

    /**
     * @param background runs a step's stdin writer, stop requests and container removals
     * @param namespace labels this deployment's containers (its store's key prefix)
     */
    public DockerStepRunner(DockerEngine docker, SpoolDirectory spools, ExecutorService background, String namespace) {
        this.docker = docker;
        this.spools = spools;
        this.background = background;
        this.namespace = namespace;
    }

    @Override
    public StepOutcome run(StepRun run) throws StepFailedException {
        ImageReference image;
        try {
            image = ImageReference.parse(run.step().source());
        } catch (IllegalArgumentException e) {
            throw new StepFailedException(e.getMessage());
        }
        OutputFile outputFile = null;
        String containerId = null;
        try {
            if (run.step().output() instanceof OutputChannel.File file) {
                outputFile = OutputFile.create(spools.path(), run, file.path());
            }
            containerId = createPullingIfMissing(run, image, outputFile);
            String created = containerId;
            run.control().onStop(() -> background.execute(() -> stop(created)));
            Spool spool = run.keepOutput() && outputFile == null ? spools.newSpool() : null;
            try {
                int exitCode = runAttached(containerId, run, spool);
                // The kernel's OOM killer sends SIGKILL: any other exit code needs no inspect to rule it out.
                boolean outOfMemory = exitCode == KILLED && Boolean.TRUE.equals(
                        docker.commands().inspectContainerCmd(containerId).exec().getState().getOOMKilled());
                StepData output = null;
                if (run.keepOutput()) {
                    output = spool != null ? spool.finish() : outputFile.takeData();
                }
                spool = null;
                return new StepOutcome(exitCode, outOfMemory, output);
            } finally {
                if (spool != null) {
                    spool.close();
                }
            }
        } catch (FileSystemException e) {
            throw new StepFailedException("cannot write " + e.getFile() + ": "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()), e);
        } catch (IOException e) {
            throw new StepFailedException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StepFailedException(describe(e), e);
        } finally {
            if (containerId != null) {
                // The step's result is already known: the next step or job need not wait while Docker tears this
                // container down. A graceful stop lets queued removals finish; after a crash the leftover sweep does.
                removeSoon(containerId);
            }
            if (outputFile != null) {
                outputFile.delete();
            }
        }
    }

    /**
     * Creates the step's container, pulling its image first when the step asks for a refresh, or when the engine does
     * not have it: asking Docker to create straight away saves an inspect call per step for the usual, present image.
     */
    private String createPullingIfMissing(StepRun run, ImageReference image, OutputFile outputFile)
            throws StepFailedException {
        if (run.step().refresh()) {
            pull(image);
        } else {
            try {
                return create(run, image, outputFile);
            } catch (NotFoundException e) {
                if (!String.valueOf(e.getMessage()).contains("No such image")) {
                    throw e;
                }
            }
            pull(image);
        }
        return create(run, image, outputFile);
    }

    private void pull(ImageReference image) throws StepFailedException {
        try {
            PullErrors errors = docker.streams().pullImageCmd(image.repository())
                    .withTag(image.version())
                    .exec(new PullErrors());
            errors.awaitCompletion();
            if (errors.first != null) {
                throw new StepFailedException("cannot pull image " + image + ": " + errors.first);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailedException("interrupted while pulling image " + image);
        } catch (RuntimeException e) {
            throw new StepFailedException("cannot pull image " + image + ": " + describe(e), e);
        }
    }

    private String create(StepRun run, ImageReference image, OutputFile outputFile) {
        boolean stdin = run.input() != null;
        ContainerDefaults defaults = docker.defaults();
        HostConfig host = HostConfig.newHostConfig()
                // Output reaches Dray through the attachment; a log file would only write it to disk a second time.
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE))
                // Whoever submits a job runs code on this engine: steps get no more power than they need.
                .withPrivileged(false)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withCapDrop(Capability.ALL)
                .withPidsLimit(defaults.pidsLimit());
        if (!defaults.capabilities().isEmpty()) {
            host.withCapAdd(defaults.capabilities().toArray(Capability[]::new));
        }
        if (defaults.networkMode() != null) {
            host.withNetworkMode(defaults.networkMode());
        }
        Long memory = run.step().memoryBytes() != null ? run.step().memoryBytes() : defaults.memoryBytes();
        if (memory != null) {
            // Swap limited to the same amount: over its limit the step is OOM-killed rather than slowed down to a crawl.
            host.withMemory(memory).withMemorySwap(memory);
        }
        Double cpus = run.step().cpus() != null ? run.step().cpus() : defaults.cpus();
        if (cpus != null) {
            host.withNanoCPUs((long) (cpus * 1_000_000_000L));
        }
        if (outputFile != null) {
            // A bind Mount, not Binds: with Binds a missing host file silently becomes a directory.
            host.withMounts(List.of(new Mount()
                    .withType(MountType.BIND)
                    .withSource(outputFile.hostPath().toString())
                    .withTarget(outputFile.containerPath())));
        }
        CreateContainerCmd create = docker.commands().createContainerCmd(image.name())
                .withName("dray-" + run.jobId() + "-" + run.index() + "-" + run.attempt())
                .withLabels(Map.of(JOB_LABEL, run.jobId(), STEP_LABEL, Integer.toString(run.index()),
                        INSTANCE_LABEL, run.instance(), ATTEMPT_LABEL, Long.toString(run.attempt()),
                        NAMESPACE_LABEL, namespace))
                .withEnv(run.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withTty(false)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withAttachStdin(stdin)
                .withStdinOpen(stdin)
                .withStdInOnce(stdin)
                .withHostConfig(host);
        return create.exec().getId();
    }

    /** Attaches before starting, so no byte of a fast container is lost; returns the exit code. */
    private int runAttached(String containerId, StepRun run, Spool spool) throws IOException {
        JobLog.Stream stdoutLog = run.log().newStream();
        JobLog.Stream stderrLog = run.log().newStream();
        int dataStream = run.step().output() == OutputChannel.STDERR ? STDERR : STDOUT;
        try (ContainerAttachment attachment = docker.attach(containerId, run.input() != null)) {
            docker.commands().startContainerCmd(containerId).exec();
            Future<?> stdin = null;
            if (run.input() != null && run.input().file() != null) {
                Path file = run.input().file();
                stdin = background.submit(() -> attachment.sendStdin(file));
            } else if (run.input() != null) {
                var input = run.input().open();
                stdin = background.submit(() -> attachment.sendStdin(input));
            }
            try {
                attachment.readFrames((stream, bytes, offset, length) -> {
                    (stream == STDERR ? stderrLog : stdoutLog).write(bytes, offset, length);
                    if (spool != null && stream == dataStream) {
                        spool.write(bytes, offset, length);
                    }
                });
            } finally {
                if (stdin != null) {
                    stdin.cancel(true);
                }
            }
        }
        stdoutLog.finish();
        stderrLog.finish();
        return docker.streams().waitContainerCmd(containerId)
                .exec(new WaitContainerResultCallback())
                .awaitStatusCode();
    }

    /** Docker's own words: its errors read "Status 404: {"message":"..."}". */
    static String describe(RuntimeException e) {
        String message = String.valueOf(e.getMessage()).trim();
        Matcher docker = DOCKER_ERROR.matcher(message);
        return docker.find() ? "Docker: " + docker.group(1).replace("\\\"", "\"") : "Docker failed: " + message;
    }

    /** SIGTERM, then SIGKILL after the stop grace; the step then ends as if it had exited. */
    private void stop(String containerId) {
        try {
            docker.streams().stopContainerCmd(containerId)
                    .withTimeout((int) Math.max(0, docker.defaults().stopGrace().toSeconds()))
                    .exec();
        } catch (NotFoundException | NotModifiedException e) {
            // Already gone or already stopped.
        } catch (RuntimeException e) {
            LOG.warn("cannot stop container {}: {}", containerId, describe(e));
        }
    }

    @Override
    public void retryCleanUp() {
        for (String containerId : unremoved) {
            remove(containerId);
        }
    }

    @Override
    public void removeContainersOf(String instance) {
        removeWhere(List.of(NAMESPACE_LABEL + "=" + namespace, INSTANCE_LABEL + "=" + instance), labels -> true);
    }

    @Override
    public void removeContainersExceptOf(Set<String> liveInstances) {
        if (liveInstances != null) {
            removeWhere(List.of(NAMESPACE_LABEL + "=" + namespace, INSTANCE_LABEL),
                    labels -> !liveInstances.contains(labels.get(INSTANCE_LABEL)));
        }
    }

    private void removeWhere(List<String> labelFilter, Predicate<Map<String, String>> matches) {
        try {
            List<Container> containers = docker.commands().listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(labelFilter)
                    .exec();
            for (Container container : containers) {
                if (matches.test(container.getLabels())) {
                    LOG.info("removing container {} left by instance {}", container.getId(),
                            container.getLabels().get(INSTANCE_LABEL));
                    remove(container.getId());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot list leftover containers: {}", describe(e));
        }
    }

    private void removeSoon(String containerId) {
        try {
            background.execute(() -> remove(containerId));
        } catch (RejectedExecutionException e) {
            remove(containerId); // shutting down
        }
    }

    private void remove(String containerId) {
        try {
            docker.commands().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // Already gone.
        } catch (ConflictException e) {
            // Another instance is removing it (both found a dead instance's leftovers).
            LOG.debug("container {} is already being removed", containerId);
        } catch (RuntimeException e) {
            LOG.warn("cannot remove container {} yet: {}", containerId, describe(e));
            unremoved.add(containerId);
            return;
        }
        unremoved.remove(containerId);
    }

    /** Keeps the first error a pull reports; docker-java's own pull callback can fail on errors (#1998). */
    private static final class PullErrors extends ResultCallback.Adapter<PullResponseItem> {
        private volatile String first;

        @Override
        public void onNext(PullResponseItem item) {
            if (first == null && item.getErrorDetail() != null) {
                first = item.getErrorDetail().getMessage();
            } else if (first == null && item.getError() != null) {
                first = item.getError();
            }
        }
    }

    /** The host file mounted at a step's output path: unique per job and step, readable by any container user. */
    private static final class OutputFile {
        private final Path hostPath;
        private final String containerPath;
        private boolean taken;

        private OutputFile(Path hostPath, String containerPath) {
            this.hostPath = hostPath;
            this.containerPath = containerPath;
        }

        static OutputFile create(Path directory, StepRun run, String containerPath) throws IOException {
            Path file = Files.createTempFile(directory, "dray-" + run.jobId() + "-" + run.index() + "-", ".out");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            return new OutputFile(file, containerPath);
        }

        Path hostPath() {
            return hostPath;
        }

        String containerPath() {
            return containerPath;
        }

        /** Hands the file over to whoever passes it on; it is no longer deleted here. */
        StepData takeData() {
            taken = true;
            return StepData.ownedFile(hostPath);
        }

        void delete() {
            try {
                if (!taken) {
                    Files.deleteIfExists(hostPath);
                }
            } catch (IOException e) {
                LOG.error("cannot delete output file {}", hostPath, e);
            }
        }
    }
}
