package io.dray.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobLogTest {
    /** Records each batch it is given; the only store behaviour the log relies on. */
    static final class RecordingStore implements JobStore {
        final List<List<String>> batches = new ArrayList<>();
        boolean exists = true;

        @Override
        public boolean appendLog(String id, List<String> lines) {
            if (exists) {
                batches.add(List.copyOf(lines));
            }
            return exists;
        }

        List<String> lines() {
            return batches.stream().flatMap(List::stream).toList();
        }

        @Override public void create(Job job, JobState state) {}
        @Override public Optional<Job> findJob(String id) { return Optional.empty(); }
        @Override public Optional<JobState> findState(String id) { return Optional.empty(); }
        @Override public List<String> listIds() { return List.of(); }
        @Override public boolean saveState(JobState state) { return exists; }
        @Override public Optional<List<String>> readLog(String id, long fromIndex) { return Optional.empty(); }
        @Override public boolean delete(String id) { return true; }
    }

    private final RecordingStore store = new RecordingStore();

    private static void write(JobLog.Stream stream, String text) {
        byte[] bytes = text.getBytes(UTF_8);
        stream.write(bytes, 0, bytes.length);
    }

    @Test
    void linesSplitAcrossFramesAndCharactersAreJoinedWhole() {
        JobLog log = new JobLog("j", store, 1000, 1 << 20);
        JobLog.Stream out = log.newStream();
        byte[] bytes = "hé\nwor".getBytes(UTF_8);
        out.write(bytes, 0, 2); // cuts 'é' in half
        out.write(bytes, 2, bytes.length - 2);
        write(out, "ld\n");
        log.flush();
        assertThat(store.lines()).containsExactly("hé", "world");
    }

    @Test
    void aLastLineWithoutNewlineIsKeptAtTheEnd() {
        JobLog log = new JobLog("j", store, 1000, 1 << 20);
        JobLog.Stream out = log.newStream();
        write(out, "one\nlast");
        out.finish();
        log.flush();
        assertThat(store.lines()).containsExactly("one", "last");
    }

    @Test
    void streamsKeepTheirOwnPartialLines() {
        JobLog log = new JobLog("j", store, 1000, 1 << 20);
        JobLog.Stream out = log.newStream();
        JobLog.Stream err = log.newStream();
        write(out, "out-");
        write(err, "err\n");
        write(out, "line\n");
        log.flush();
        assertThat(store.lines()).containsExactly("err", "out-line");
    }

    @Test
    void linesAreWrittenInBatchesNotOneByOne() {
        JobLog log = new JobLog("j", store, 100, 1 << 20);
        JobLog.Stream out = log.newStream();
        for (int i = 0; i < 250; i++) {
            write(out, "line " + i + "\n");
        }
        assertThat(store.batches).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(100));
        log.flush();
        assertThat(store.batches).hasSize(3);
        assertThat(store.lines()).hasSize(250).startsWith("line 0").endsWith("line 249");
    }

    @Test
    void aLineWithNoNewlineCannotGrowPastTheLimit() {
        JobLog log = new JobLog("j", store, 1000, 1 << 30);
        JobLog.Stream out = log.newStream();
        byte[] chunk = new byte[10_000];
        Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 20; i++) {
            out.write(chunk, 0, chunk.length);
        }
        out.finish();
        log.flush();
        assertThat(store.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(JobLog.MAX_LINE_BYTES));
        assertThat(String.join("", store.lines())).hasSize(200_000);
    }

    @Test
    void aDeletedJobIsReportedToTheRunner() {
        JobLog log = new JobLog("j", store, 1000, 1 << 20);
        store.exists = false;
        write(log.newStream(), "x\n");
        log.flush();
        assertThat(log.jobDeleted()).isTrue();
    }
}
