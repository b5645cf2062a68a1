package io.dray.core;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bytes one step passes to the next. Closing it frees what holds them (memory or a temporary file). */
public interface StepData extends Closeable {

    InputStream open() throws IOException;

    /** The file that holds exactly these bytes, if there is one: it can be sent without copying through the heap. */
    default Path file() {
        return null;
    }

    @Override
    void close();

    /** Moves the bytes into {@code target}, which then holds them for good (a step's input that survives a restart). */
    default StepData moveTo(Path target) throws IOException {
        try (InputStream in = open()) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            close();
        }
        return ownedFile(target);
    }

    /** The content of a file that becomes this data's own: it is deleted when the data is closed. */
    static StepData ownedFile(Path file) {
        return new StepData() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public Path file() {
                return file;
            }

            @Override
            public StepData moveTo(Path target) throws IOException {
                Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return ownedFile(target);
            }

            @Override
            public void close() {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot delete " + file, e);
                }
            }
        };
    }
}
