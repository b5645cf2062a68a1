package io.dray.docker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
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
import io.dray.core.LogStream;
import io.dray.core.OutputChannel;
import io.dray.core.Spool;
import io.dray.core.SpoolDirectory;
import io.dray.core.Step;
import io.dray.core.StepData;
import io.dray.core.StepFailedException;
import io.dray.core.StepLifecycle;
import io.dray.core.StepOutcome;
import io.dray.core.StepRun;
import io.dray.core.StepRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step as one container: pull its image if needed, create it, attach to it, start it, feed it the previous
 * step's data, route its stdout and stderr to the job log and to the next step, wait for its exit code, remove it.
 * At each phase it tells the step's {@link StepLifecycle} and obeys it, so that a stop asked for at any moment wins.
 */
public final class DockerStepRunner implements StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DockerStepRunner.class);
    public static final String JOB_LABEL = "dray.job";
    public static final String STEP_LABEL = "dray.step";
    public static final String INSTANCE_LABEL = "dray.instance";
    /** The claim's epoch: a job taken over runs its steps in new containers, never in those of an earlier claim. */
    public static final String EPOCH_LABEL = "dray.epoch";
    /** The step's attempt, from 1: a retried step runs each attempt in a container of its own. */
    public static final String ATTEMPT_LABEL = "dray.attempt";
    /** The store's key prefix: deployments that share an engine but not a store never touch each other's containers. */
    public static final String NAMESPACE_LABEL = "dray.namespace";
    private static final Pattern DOCKER_ERROR = Pattern.compile("\\{\\s*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    /** 128 + SIGKILL. */
    private static final int KILLED = 137;
    /** How long the end of a step waits for the image id read while it ran; usually it came long before. */
    private static final Duration IMAGE_ID_WAIT = Duration.ofSeconds(2);
    /**
     * How long an image name's id is taken as known. An inspect per step cost ~5% of the steps dockerd runs per second
     * on 2 cores (scripts/bench, throughput); a name that another client re-tags shows its new id this much later.
     */
    private static final Duration IMAGE_ID_KNOWN_FOR = Duration.ofMinutes(1);

    /**
     * Where the runner's own work runs, each pool bounded.
     *
     * @param stdin writes a step's input to its container: one thread per step that may run at once
     * @param inspections reads which image a started container runs, while it runs: one thread per step too
     * @param removals removes containers after their step ended, off the job's path
     */
    public record Executors(ExecutorService stdin, ExecutorService inspections, ExecutorService removals) {}

    private final DockerEngine docker;
    private final SpoolDirectory spools;
    private final Executors executors;
    private final String namespace;
    /** Containers whose removal failed (the engine was down): removed by {@link #retryCleanUp()}. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();
    /** The id each image name resolved to, by name; a pull of the name forgets it. */
    private final Cache<String, String> imageIds = Caffeine.newBuilder()
            .expireAfterWrite(IMAGE_ID_KNOWN_FOR)
            .maximumSize(10_000)
            .build();

    /** @param namespace labels this deployment's containers (its store's key prefix) */
    public DockerStepRunner(DockerEngine docker, SpoolDirectory spools, Executors executors, String namespace) {
        this.docker = docker;
        this.spools = spools;
        this.executors = executors;
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
        StepLifecycle lifecycle = run.lifecycle();
        OutputFile outputFile = null;
        String containerId = null;
        try {
            if (run.step().output() instanceof OutputChannel.File file) {
                outputFile = OutputFile.create(spools.path(), run, file.path());
            }
            containerId = createPullingIfMissing(run, image, outputFile);
            if (containerId == null || !lifecycle.created(containerId)) {
                return StepOutcome.notStarted(null);
            }
            Spool spool = run.keepOutput() && outputFile == null ? spools.newSpool() : null;
            StepOutcome outcome = null;
            try {
                outcome = runAttached(containerId, image, run, spool, outputFile);
                return outcome;
            } finally {
                // The spool is the outcome's output once the step ran to its end; otherwise nobody will read it.
                if (spool != null && (outcome == null || outcome.output() != spool)) {
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
     * Returns null, creating nothing, once a stop was asked for.
     */
    private String createPullingIfMissing(StepRun run, ImageReference image, OutputFile outputFile)
            throws StepFailedException {
        StepLifecycle lifecycle = run.lifecycle();
        if (run.step().refresh()) {
            if (!pull(image, lifecycle)) {
                return null;
            }
        } else {
            if (!lifecycle.mayCreate()) {
                return null;
            }
            try {
                return create(run, image, outputFile);
            } catch (NotFoundException e) {
                if (!String.valueOf(e.getMessage()).contains("No such image")) {
                    throw e;
                }
            }
            if (!pull(image, lifecycle)) {
                return null;
            }
        }
        return lifecycle.mayCreate() ? create(run, image, outputFile) : null;
    }

    /** Pulls the image; false, having pulled nothing or not all, if a stop came first or during the pull. */
    private boolean pull(ImageReference image, StepLifecycle lifecycle) throws StepFailedException {
        PullErrors errors = new PullErrors();
        if (!lifecycle.pulling(errors::abort)) {
            return false;
        }
        try {
            docker.streams().pullImageCmd(image.repository())
                    .withTag(image.version())
                    // Even null: else docker-java sends a login it found itself (in DOCKER_CONFIG or ~/.docker).
                    .withAuthConfig(docker.credentials().authFor(image))
                    .exec(errors);
            errors.awaitCompletion();
            imageIds.invalidate(image.name());
            if (errors.aborted) {
                return false;
            }
            if (errors.first != null) {
                throw new StepFailedException("cannot pull image " + image + ": "
                        + docker.credentials().explainPullFailure(image, errors.first));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailedException("interrupted while pulling image " + image);
        } catch (RuntimeException e) {
            if (errors.aborted) {
                return false;
            }
            throw new StepFailedException("cannot pull image " + image + ": "
                    + docker.credentials().explainPullFailure(image, describe(e)), e);
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
        Step step = run.step();
        String networkMode = step.networkMode() != null ? step.networkMode() : defaults.networkMode();
        if (networkMode != null) {
            host.withNetworkMode(networkMode);
        }
        if (step.cpuShares() != null) {
            host.withCpuShares(Math.toIntExact(step.cpuShares()));
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
        String name = "dray-" + run.jobId() + "-" + run.index() + "-" + run.epoch() + "-" + run.attempt();
        CreateContainerCmd create = docker.commands().createContainerCmd(image.name())
                .withName(name)
                .withLabels(Map.of(JOB_LABEL, run.jobId(), STEP_LABEL, Integer.toString(run.index()),
                        INSTANCE_LABEL, run.instance(), EPOCH_LABEL, Long.toString(run.epoch()),
                        ATTEMPT_LABEL, Integer.toString(run.attempt()), NAMESPACE_LABEL, namespace))
                .withEnv(run.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withTty(false)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withAttachStdin(stdin)
                .withStdinOpen(stdin)
                .withStdInOnce(stdin)
                .withHostConfig(host);
        // Each replaces the image's own only when the step sets it.
        if (step.command() != null) {
            create.withCmd(step.command());
        }
        if (step.entrypoint() != null) {
            // An empty entrypoint clears the image's: Docker's API spells that [""].
            create.withEntrypoint(step.entrypoint().isEmpty() ? List.of("") : step.entrypoint());
        }
        if (step.workingDir() != null) {
            create.withWorkingDir(step.workingDir());
        }
        if (step.user() != null) {
            create.withUser(step.user());
        }
        try {
            return create.exec().getId();
        } catch (NotFoundException e) {
            throw e; // no such image: nothing was created
        } catch (RuntimeException e) {
            // The engine may have created it and failed to answer (a timeout): by its name, nobody else removes it.
            removeSoon(name);
            throw e;
        }
    }

    /**
     * Attaches before starting, so no byte of a fast container is lost; starts the container unless a stop came
     * first; returns how it ended.
     */
    private StepOutcome runAttached(String containerId, ImageReference image, StepRun run, Spool spool,
            OutputFile outputFile) throws IOException {
        StepLifecycle lifecycle = run.lifecycle();
        JobLog.Stream stdoutLog = run.log().newStream(LogStream.STDOUT);
        JobLog.Stream stderrLog = run.log().newStream(LogStream.STDERR);
        int dataStream = run.step().output() == OutputChannel.STDERR ? STDERR : STDOUT;
        CompletableFuture<String> imageId;
        try (ContainerAttachment attachment = docker.attach(containerId, run.input() != null)) {
            if (!lifecycle.mayStart()) {
                return StepOutcome.notStarted(null);
            }
            docker.commands().startContainerCmd(containerId).exec();
            lifecycle.started();
            imageId = imageIdWhileRunning(image);
            Future<?> stdin = sendInput(run.input(), attachment);
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
        int exitCode = docker.streams().waitContainerCmd(containerId)
                .exec(new WaitContainerResultCallback())
                .awaitStatusCode();
        // The kernel's OOM killer sends SIGKILL: any other exit code needs no inspect to rule it out.
        boolean outOfMemory = exitCode == KILLED && Boolean.TRUE.equals(inspect(containerId).getState().getOOMKilled());
        StepData output = null;
        if (run.keepOutput()) {
            output = spool != null ? spool.finish() : outputFile.takeData();
        }
        return new StepOutcome(exitCode, outOfMemory, imageIdOrNull(imageId), stdoutLog.written(), stderrLog.written(),
                output);
    }

    /** Writes the step's input to its container's stdin on the stdin pool; null when the step has none. */
    private Future<?> sendInput(StepData input, ContainerAttachment attachment) throws IOException {
        if (input == null) {
            return null;
        } else if (input.file() != null) {
            Path file = input.file();
            return executors.stdin().submit(() -> attachment.sendStdin(file));
        }
        InputStream stream = input.open();
        try {
            return executors.stdin().submit(() -> attachment.sendStdin(stream));
        } catch (RejectedExecutionException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * The id of the image the step's container runs, known already or read while the step runs (rather than between
     * create and start, where every step would wait for it).
     */
    private CompletableFuture<String> imageIdWhileRunning(ImageReference image) {
        String known = imageIds.getIfPresent(image.name());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                String id = docker.commands().inspectImageCmd(image.name()).exec().getId();
                imageIds.put(image.name(), id);
                return id;
            }, executors.inspections());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private InspectContainerResponse inspect(String containerId) {
        return docker.commands().inspectContainerCmd(containerId).exec();
    }

    private static String imageIdOrNull(CompletableFuture<String> imageId) {
        try {
            return imageId.get(IMAGE_ID_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("the image id of a step is unknown: {}", e.toString());
            return null;
        }
    }

    /** Docker's own words: its errors read "Status 404: {"message":"..."}". */
    static String describe(RuntimeException e) {
        String message = String.valueOf(e.getMessage()).trim();
        Matcher docker = DOCKER_ERROR.matcher(message);
        return docker.find() ? "Docker: " + docker.group(1).replace("\\\"", "\"") : "Docker failed: " + message;
    }

    /** SIGTERM, then SIGKILL after the stop grace; returns once the engine says the container no longer runs. */
    @Override
    public void stop(String containerId) throws StepFailedException {
        try {
            docker.stops().stopContainerCmd(containerId)
                    .withTimeout((int) Math.max(0, docker.defaults().stopGrace().toSeconds()))
                    .exec();
        } catch (NotFoundException | NotModifiedException e) {
            // Already gone, or already stopped: a container is started before its lifecycle lets anyone stop it.
        } catch (RuntimeException e) {
            throw new StepFailedException(describe(e), e);
        }
    }

    /** Removes the container by force, which kills it. */
    @Override
    public void kill(String containerId) throws StepFailedException {
        try {
            docker.commands().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // Already gone.
        } catch (RuntimeException e) {
            throw new StepFailedException(describe(e), e);
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
            executors.removals().execute(() -> remove(containerId));
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

    /**
     * Keeps the first error a pull reports (docker-java's own pull callback can fail on errors, #1998), and ends the
     * pull early when its step is stopped.
     */
    private static final class PullErrors extends ResultCallback.Adapter<PullResponseItem> {
        private volatile String first;
        private volatile boolean aborted;

        @Override
        public void onStart(java.io.Closeable stream) {
            super.onStart(stream);
            if (aborted) {
                closeQuietly();
            }
        }

        @Override
        public void onNext(PullResponseItem item) {
            if (first == null && item.getErrorDetail() != null) {
                first = item.getErrorDetail().getMessage();
            } else if (first == null && item.getError() != null) {
                first = item.getError();
            }
        }

        void abort() {
            aborted = true;
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                close();
            } catch (IOException e) {
                LOG.debug("cannot close a pull: {}", e.toString());
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
