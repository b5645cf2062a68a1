package io.dray.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where spools and output files are made, and how much of a step's output may stay in memory. */
public final class SpoolDirectory {
    private final Path directory;
    private final int memoryLimit;

    public SpoolDirectory(Path directory, int memoryLimit) {
        this.directory = directory;
        this.memoryLimit = memoryLimit;
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

    /** Deletes what was kept for a job that has ended. */
    public void deleteJob(String jobId) {
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
}
