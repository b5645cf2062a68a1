package io.dray.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobLogTest {
    /** Records each batch it is given, as the store would; can refuse (claim lost) or be down. */
    static final class RecordingWriter implements JobLog.Writer {
        final List<List<String>> batches = new ArrayList<>();
        final StringBuilder streams = new StringBuilder();
        boolean claimHolds = true;
        boolean down;

        @Override
        public boolean write(List<String> lines, String lineStreams) {
            if (down) {
                throw new StoreUnavailableException("down", null);
            }
            assertThat(lineStreams).hasSize(lines.size());
            if (claimHolds) {
                batches.add(List.copyOf(lines));
                streams.append(lineStreams);
            }
            return claimHolds;
        }

        List<String> lines() {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    private final RecordingWriter store = new RecordingWriter();

    private static void write(JobLog.Stream stream, String text) {
        byte[] bytes = text.getBytes(UTF_8);
        stream.write(bytes, 0, bytes.length);
    }

    @Test
    void linesSplitAcrossFramesAndCharactersAreJoinedWhole() {
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        byte[] bytes = "hé\nwor".getBytes(UTF_8);
        out.write(bytes, 0, 2); // cuts 'é' in half
        out.write(bytes, 2, bytes.length - 2);
        write(out, "ld\n");
        log.flush();
        assertThat(store.lines()).containsExactly("hé", "world");
    }

    @Test
    void aLastLineWithoutNewlineIsKeptAtTheEnd() {
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        write(out, "one\nlast");
        out.finish();
        log.flush();
        assertThat(store.lines()).containsExactly("one", "last");
    }

    @Test
    void eachStreamCountsItsBytesAndLinesALastLineWithoutNewlineIncludedACutLineOnce() {
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        JobLog.Stream err = log.newStream(LogStream.STDERR);
        write(out, "one\ntw");
        write(out, "o\nlast");
        byte[] longLine = new byte[JobLog.MAX_LINE_BYTES * 2 + 5];
        Arrays.fill(longLine, (byte) 'x');
        longLine[longLine.length - 1] = '\n';
        err.write(longLine, 0, longLine.length);
        assertThat(out.written()).isEqualTo(new StepRecord.Output(12, 2));
        out.finish();
        err.finish();
        assertThat(out.written()).isEqualTo(new StepRecord.Output(12, 3));
        assertThat(err.written()).as("one line, logged in three pieces").isEqualTo(new StepRecord.Output(longLine.length, 1));
        log.flush();
        assertThat(store.lines()).hasSize(6);
    }

    @Test
    void streamsKeepTheirOwnPartialLines() {
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        JobLog.Stream err = log.newStream(LogStream.STDERR);
        write(out, "out-");
        write(err, "err\n");
        write(out, "line\n");
        log.flush();
        assertThat(store.lines()).containsExactly("err", "out-line");
        assertThat(store.streams).as("each line with its stream").hasToString("eo");
    }

    @Test
    void linesAreWrittenInBatchesNotOneByOne() {
        JobLog log = new JobLog("j", store, List.of(), 100, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
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
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 30, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
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
    void aLineWithASecretIsStoredWithTheSecretMasked() {
        JobLog log = new JobLog("j", store, List.of("hunter2"), 1000, 1 << 20, 1_000_000);
        write(log.newStream(LogStream.STDOUT), "password=hunter2 and again hunter2\nclean\n");
        log.flush();
        assertThat(store.lines()).containsExactly("password=**** and again ****", "clean");
    }

    @Test
    void aLostClaimIsReportedToTheRunnerAndNothingMoreIsWritten() {
        JobLog log = new JobLog("j", store, List.of(), 1000, 1 << 20, 1_000_000);
        store.claimHolds = false;
        write(log.newStream(LogStream.STDOUT), "x\n");
        log.flush();
        assertThat(log.claimLost()).isTrue();
        store.claimHolds = true;
        write(log.newStream(LogStream.STDOUT), "y\n");
        log.flush();
        assertThat(store.lines()).isEmpty();
    }

    @Test
    void whileTheStoreIsDownLinesWaitAndAreWrittenInOrderWhenItIsBack() {
        JobLog log = new JobLog("j", store, List.of(), 10, 1 << 20, 1_000_000);
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        write(out, "before\n");
        log.flush();
        store.down = true;
        for (int i = 0; i < 35; i++) {
            write(out, "during " + i + "\n");
        }
        assertThatThrownBy(log::flush).isInstanceOf(StoreUnavailableException.class);
        store.down = false;
        write(out, "after\n");
        log.flush();
        assertThat(store.lines()).hasSize(37).startsWith("before", "during 0").endsWith("during 34", "after");
        assertThat(store.batches).allSatisfy(batch -> assertThat(batch.size()).isLessThanOrEqualTo(10));
        assertThat(log.overflowed()).isFalse();
    }

    @Test
    void pastTheBufferLimitTheLogOverflowsInsteadOfFillingTheHeap() {
        JobLog log = new JobLog("j", store, List.of(), 10, 1 << 20, 100);
        store.down = true;
        JobLog.Stream out = log.newStream(LogStream.STDOUT);
        for (int i = 0; i < 500; i++) {
            write(out, "line\n");
        }
        assertThat(log.overflowed()).isTrue();
    }
}
