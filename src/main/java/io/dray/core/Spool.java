package io.dray.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A step's output on its way to the next step: held in memory while it is small, spilled to a temporary file past
 * {@code memoryLimit} bytes, so a step that writes gigabytes costs disk, not heap. Written once by one thread, then
 * read with {@link #open()}.
 */
public final class Spool extends OutputStream implements StepData {
    private final Path directory;
    private final int memoryLimit;
    private byte[] memory = new byte[256];
    private int memoryLength;
    private Path file;
    private OutputStream fileOut;

    Spool(Path directory, int memoryLimit) {
        this.directory = directory;
        this.memoryLimit = memoryLimit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (fileOut == null && memoryLength + length > memoryLimit) {
            spillToFile();
        }
        if (fileOut != null) {
            fileOut.write(bytes, offset, length);
        } else {
            if (memoryLength + length > memory.length) {
                memory = Arrays.copyOf(memory, Math.min(memoryLimit, Math.max(memory.length * 2, memoryLength + length)));
            }
            System.arraycopy(bytes, offset, memory, memoryLength, length);
            memoryLength += length;
        }
    }

    private void spillToFile() throws IOException {
        file = Files.createTempFile(directory, "dray-spool-", ".data");
        fileOut = Files.newOutputStream(file);
        fileOut.write(memory, 0, memoryLength);
        memory = null;
        memoryLength = 0;
    }

    /** Ends the writing; the spool can be read from now on. */
    public StepData finish() throws IOException {
        if (fileOut != null) {
            fileOut.close();
        }
        return this;
    }

    public boolean isOnDisk() {
        return file != null;
    }

    @Override
    public InputStream open() throws IOException {
        return file != null ? Files.newInputStream(file) : new ByteArrayInputStream(memory, 0, memoryLength);
    }

    @Override
    public StepData moveTo(Path target) throws IOException {
        finish();
        if (file == null) {
            Files.write(target, Arrays.copyOf(memory, memoryLength));
            close();
            return StepData.ownedFile(target);
        }
        Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        file = null;
        return StepData.ownedFile(target);
    }

    @Override
    public void close() {
        memory = null;
        if (file != null) {
            try {
                fileOut.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete spool " + file, e);
            }
        }
    }
}
