package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolDirectoryTest {
    @TempDir
    Path directory;

    /** Deletions the test runs when it chooses: what the job's thread would otherwise have waited for. */
    private final List<Runnable> pending = new ArrayList<>();

    @Test
    void releasedDataIsDeletedOffTheCallersThread() throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1024, pending::add);
        Path kept = spools.stepInput("job1", 1);
        Files.writeString(kept, "data for step 1");

        spools.release(StepData.ownedFile(kept));

        assertThat(kept).exists();
        pending.forEach(Runnable::run);
        assertThat(kept).doesNotExist();
    }

    @Test
    void anEndedJobsDirectoryIsDeletedWithWhatItKept() throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1024, pending::add);
        Files.writeString(spools.stepInput("job1", 2), "left by a cancelled job");

        spools.deleteJob("job1");
        pending.forEach(Runnable::run);

        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void whenTheBackgroundIsShutDownDataIsDeletedAtOnceRatherThanLeftBehind() throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1024, task -> {
            throw new RejectedExecutionException("shut down");
        });
        Path kept = spools.stepInput("job1", 1);
        Files.writeString(kept, "data");

        spools.release(StepData.ownedFile(kept));
        spools.deleteJob("job1");

        assertThat(directory).isEmptyDirectory();
    }
}
