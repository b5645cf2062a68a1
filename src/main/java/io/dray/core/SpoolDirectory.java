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
}
