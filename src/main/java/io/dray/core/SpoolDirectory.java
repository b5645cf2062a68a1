package io.dray.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where spools and output files are made, and how much of a step's output may stay in memory. */
public final class SpoolDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDirectory.class);

    private final Path directory;
    private final int memoryLimit;
    private final Executor deletions;

    /**
     * @param deletions where data that is no longer needed is deleted: unlinking a large file the kernel is still
     *     writing back takes a third of a second here, which no job should wait for
     */
    public SpoolDirectory(Path directory, int memoryLimit, Executor deletions) {
        this.directory = directory;
        this.memoryLimit = memoryLimit;
        this.deletions = deletions;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + directory + ": " + e, e);
        }
        if (!Files.isWritable(directory)) {
            throw new IllegalStateException("data directory " + directory + " is not writable by this user");
        }
    }

    public Spool newSpool() {
        return new Spool(directory, memoryLimit);
    }

    public Path path() {
        return directory;
    }

    /**
     * Where the input of a job's step is kept while the job runs: a fixed path, so that an instance that takes over an
     * interrupted job (sharing this directory) finds it.
     */
    public Path stepInput(String jobId, int index) throws IOException {
        return Files.createDirectories(directory.resolve("job-" + jobId)).resolve("step-" + index + ".input");
    }

    /** Lets go of data no step will read again: it is deleted soon, off the caller's thread. */
    public void release(StepData data) {
        if (data != null) {
            deleteSoon(data::close);
        }
    }

    /** Deletes, soon, what was kept for a job that has ended. */
    public void deleteJob(String jobId) {
        deleteSoon(() -> deleteJobNow(jobId));
    }

    private void deleteJobNow(String jobId) {
        Path jobDirectory = directory.resolve("job-" + jobId);
        try (var files = Files.list(jobDirectory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(jobDirectory);
        } catch (java.nio.file.NoSuchFileException e) {
            // Nothing was kept.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + jobDirectory, e);
        }
    }

    private void deleteSoon(Runnable deletion) {
        Runnable logged = () -> {
            try {
                deletion.run();
            } catch (RuntimeException e) {
                LOG.error("cannot delete data no longer needed", e);
            }
        };
        try {
            deletions.execute(logged);
        } catch (RejectedExecutionException e) {
            // Shutting down: delete now rather than leave it behind.
            logged.run();
        }
    }
}
