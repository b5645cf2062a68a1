package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path directory;

    @Test
    void smallOutputStaysInMemoryAndReadsBackExactly() throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1024, Runnable::run);
        byte[] data = {0, 1, 2, '\n', (byte) 0xff, 0};
        try (Spool spool = spools.newSpool()) {
            spool.write(data, 0, data.length);
            spool.finish();
            assertThat(spool.isOnDisk()).isFalse();
            assertThat(readAll(spool)).isEqualTo(data);
            assertThat(directory).isEmptyDirectory();
        }
    }

    @Test
    void outputPastTheMemoryLimitSpillsToAFileThatIsDeletedOnClose() throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1000, Runnable::run);
        byte[] data = new byte[10_000];
        new Random(7).nextBytes(data);
        Spool spool = spools.newSpool();
        for (int i = 0; i < data.length; i += 300) {
            spool.write(data, i, Math.min(300, data.length - i));
        }
        spool.finish();
        assertThat(spool.isOnDisk()).isTrue();
        assertThat(readAll(spool)).isEqualTo(data);
        assertThat(Files.list(directory)).hasSize(1);
        spool.close();
        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void emptyOutputReadsAsEmpty() throws IOException {
        try (Spool spool = new SpoolDirectory(directory, 10, Runnable::run).newSpool()) {
            spool.finish();
            assertThat(readAll(spool)).isEmpty();
        }
    }

    static byte[] readAll(StepData data) throws IOException {
        try (InputStream in = data.open()) {
            return in.readAllBytes();
        }
    }
}
