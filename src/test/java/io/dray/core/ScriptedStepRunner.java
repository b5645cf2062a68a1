package io.dray.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A step runner without Docker for the engine's unit tests: each image does what its {@link Behaviour} says, every
 * container it "creates" is tracked, and what happens to each (created, started, stopped, killed, removed) is kept as
 * events a test can assert. Like Docker, it ignores a stop of a container that has not started.
 */
final class ScriptedStepRunner implements StepRunner {
    /** What steps of one image do. */
    static final class Behaviour {
        List<String> stdout = List.of();
        List<String> stderr = List.of();
        int exitCode;
        /** Writes its input to stdout, like {@code cat}. */
        boolean cat;
        /** Pulls first; the pull lasts until this gate opens (or the pull is aborted). */
        CountDownLatch pullGate;
        /** Runs on the step's thread at that phase (e.g. a test's cancel arriving exactly then). */
        Runnable beforeCreate = () -> {};
        Runnable afterCreate = () -> {};
        Runnable duringStart = () -> {};
        /** Its first so many runs last until stopped; later runs end at once. */
        int runsUntilStopped;
        /** Stops the engine fails to confirm before one succeeds. */
        int failingStops;
        StepFailedException createFailure;
        /** Its first so many runs write "attempt N failed" (instead of {@code stdout}) and exit 1. */
        int failingRuns;
    }

    private static final class Container {
        final String id;
        final Behaviour behaviour;
        final CountDownLatch exited = new CountDownLatch(1);
        volatile boolean started;
        volatile Integer stoppedWith;

        Container(String id, Behaviour behaviour) {
            this.id = id;
            this.behaviour = behaviour;
        }
    }

    private final SpoolDirectory spools;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** Every run asked for, in order: what each attempt was given. */
    final List<StepRun> received = new CopyOnWriteArrayList<>();
    /** The input each run read (null for none), in the order of {@link #received}. */
    final List<String> inputsRead = new CopyOnWriteArrayList<>();
    /** While closed, sweeps (Docker calls of the leftover sweeper) hang, as on a Docker engine that stalled. */
    volatile CountDownLatch sweepGate = new CountDownLatch(0);

    ScriptedStepRunner(SpoolDirectory spools) {
        this.spools = spools;
    }

    Behaviour behave(String image) {
        return behaviours.computeIfAbsent(image, key -> new Behaviour());
    }

    /** Containers that were started and have not exited or been removed. */
    List<String> running() {
        return containers.values().stream().filter(c -> c.started && c.exited.getCount() > 0).map(c -> c.id).toList();
    }

    List<String> eventsOf(String containerId) {
        return events.stream().filter(e -> e.endsWith(" " + containerId)).map(e -> e.substring(0, e.indexOf(' '))).toList();
    }

    /** Every container ever created for the job, by id, in order. */
    List<String> containersOf(String jobId) {
        return events.stream().filter(e -> e.startsWith("created ") && e.contains(" " + jobId + " "))
                .map(e -> e.substring(e.lastIndexOf(' ') + 1)).toList();
    }

    @Override
    public StepOutcome run(StepRun run) throws StepFailedException {
        runs.incrementAndGet();
        received.add(run);
        inputsRead.add(read(run.input()));
        Behaviour behaviour = behave(run.step().source());
        StepLifecycle lifecycle = run.lifecycle();
        if (behaviour.pullGate != null) {
            AtomicBoolean aborted = new AtomicBoolean();
            if (!lifecycle.pulling(() -> {
                aborted.set(true);
                behaviour.pullGate.countDown();
            })) {
                return StepOutcome.notStarted(null);
            }
            await(behaviour.pullGate);
            if (aborted.get()) {
                events.add("pull-aborted " + run.jobId());
                return StepOutcome.notStarted(null);
            }
        }
        behaviour.beforeCreate.run();
        if (!lifecycle.mayCreate()) {
            return StepOutcome.notStarted(null);
        }
        if (behaviour.createFailure != null) {
            throw behaviour.createFailure;
        }
        Container container = new Container("c" + created.incrementAndGet(), behaviour);
        containers.put(container.id, container);
        events.add("created " + run.jobId() + " " + container.id);
        try {
            boolean mayGoOn = lifecycle.created(container.id);
            behaviour.afterCreate.run();
            if (!mayGoOn || !lifecycle.mayStart()) {
                return StepOutcome.notStarted(null);
            }
            behaviour.duringStart.run();
            container.started = true;
            events.add("started " + container.id);
            lifecycle.started();
            JobLog.Stream out = run.log().newStream(LogStream.STDOUT);
            JobLog.Stream err = run.log().newStream(LogStream.STDERR);
            boolean failing = behaviour.failingRuns > 0;
            if (failing) {
                behaviour.failingRuns--;
            }
            byte[] stdout = failing ? lines(List.of("attempt " + run.attempt() + " failed")) : stdout(behaviour, run.input());
            out.write(stdout, 0, stdout.length);
            byte[] stderr = lines(behaviour.stderr);
            err.write(stderr, 0, stderr.length);
            if (behaviour.runsUntilStopped > 0) {
                behaviour.runsUntilStopped--;
                await(container.exited);
            }
            out.finish();
            err.finish();
            int exitCode = container.stoppedWith != null ? container.stoppedWith : failing ? 1 : behaviour.exitCode;
            container.exited.countDown();
            StepData output = null;
            if (run.keepOutput()) {
                Spool spool = spools.newSpool();
                spool.write(stdout, 0, stdout.length);
                output = spool.finish();
            }
            return new StepOutcome(exitCode, false, "sha256:" + run.step().source(), out.written(), err.written(), output);
        } catch (IOException e) {
            throw new StepFailedException(e.getMessage(), e);
        } finally {
            container.exited.countDown();
            containers.remove(container.id);
            events.add("removed " + container.id);
        }
    }

    private static String read(StepData input) {
        if (input == null) {
            return null;
        }
        try (InputStream in = input.open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private static byte[] stdout(Behaviour behaviour, StepData input) throws IOException {
        if (!behaviour.cat) {
            return lines(behaviour.stdout);
        }
        try (InputStream in = input.open()) {
            return in.readAllBytes();
        }
    }

    private static byte[] lines(List<String> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void stop(String containerId) throws StepFailedException {
        Container container = containers.get(containerId);
        if (container == null) {
            return;
        }
        if (container.behaviour.failingStops > 0) {
            container.behaviour.failingStops--;
            events.add("stop-failed " + containerId);
            throw new StepFailedException("the engine did not answer");
        }
        if (!container.started) {
            events.add("stop-ignored " + containerId); // as Docker answers 304 for a container not started
            return;
        }
        events.add("stopped " + containerId);
        container.stoppedWith = 143;
        container.exited.countDown();
    }

    @Override
    public void kill(String containerId) {
        Container container = containers.get(containerId);
        if (container != null) {
            events.add("killed " + containerId);
            container.stoppedWith = 137;
            container.exited.countDown();
        }
    }

    @Override
    public void retryCleanUp() {
        await(sweepGate);
    }

    @Override
    public void removeContainersOf(String instance) {
        events.add("swept-instance " + instance);
    }

    @Override
    public void removeContainersExceptOf(Set<String> liveInstances) {
        await(sweepGate);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many step attempts were run. */
    int runCount() {
        return runs.get();
    }

    List<String> allEvents() {
        return new ArrayList<>(events);
    }
}
