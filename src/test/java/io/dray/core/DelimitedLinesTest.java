package io.dray.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DelimitedLinesTest {
    private static final int LONG_LINE = 64 << 20;

    @TempDir
    Path directory;

    private String select(String data, String begin, String end) throws IOException {
        return new String(select(data.getBytes(UTF_8), begin, end, Integer.MAX_VALUE), UTF_8);
    }

    /** Selects from a source that hands out at most {@code maxRead} bytes per read, as a pipe may. */
    private byte[] select(byte[] data, String begin, String end, int maxRead) throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1 << 20, Runnable::run);
        StepData source = fixed(() -> new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, maxRead));
            }
        });
        try (StepData selected = DelimitedLines.select(source, begin, end, spools)) {
            return SpoolTest.readAll(selected);
        }
    }

    private String trickled(String data, String begin, String end, int maxRead) throws IOException {
        return new String(select(data.getBytes(UTF_8), begin, end, maxRead), UTF_8);
    }

    @Test
    void keepsOnlyTheLinesStrictlyBetweenTheMarkers() throws IOException {
        assertThat(select("noise\n---BEGIN---\na\nb\n---END---\nmore noise\n", "---BEGIN---", "---END---"))
                .isEqualTo("a\nb\n");
    }

    @Test
    void keepsEverySectionAndAcceptsCarriageReturnsAndAnUnterminatedLastMarker() throws IOException {
        assertThat(select("B\r\none\r\nE\r\nx\nB\ntwo\nE", "B", "E")).isEqualTo("one\r\ntwo\n");
    }

    @Test
    void aMarkerMustBeTheWholeLine() throws IOException {
        assertThat(select("xB\nB\nB2\nE \nE\n", "B", "E")).isEqualTo("B2\nE \n");
    }

    @Test
    void noBeginMarkerPassesNothing() throws IOException {
        assertThat(select("a\nb\n", "B", "E")).isEmpty();
    }

    @Test
    void markersSplitAcrossReadsAreStillFound() throws IOException {
        String data = "noise\r\n--BEGIN--\r\nkept\n--END--x\n\n--END--\r\nout\n--BEGIN--\nlast";
        for (int maxRead = 1; maxRead <= 24; maxRead++) {
            assertThat(trickled(data, "--BEGIN--", "--END--", maxRead))
                    .as("reads of at most %d bytes", maxRead)
                    .isEqualTo("kept\n--END--x\n\nlast");
        }
    }

    @Test
    void aMarkerSplitAcrossTheChunkSizeBoundaryIsStillFound() throws IOException {
        // "BEG" ends the first chunk, "IN\n" starts the second; the same for "END" one chunk later.
        String padding = "x".repeat(DelimitedLines.CHUNK_SIZE - 4) + "\n";
        String kept = "y".repeat(DelimitedLines.CHUNK_SIZE - 6 - 1) + "\n";
        assertThat(select(padding + "BEGIN\n" + kept + "END\nafter\n", "BEGIN", "END")).isEqualTo(kept);
    }

    @Test
    void aLineThatStartsLikeTheEndMarkerButIsLongerIsKept() throws IOException {
        assertThat(select("--BEGIN--\n--END--x\n--END--xy\n--END--\r\r\n--END-\n--END--\nafter\n", "--BEGIN--", "--END--"))
                .isEqualTo("--END--x\n--END--xy\n--END--\r\r\n--END-\n");
    }

    @Test
    void aLineThatStartsLikeTheBeginMarkerButIsLongerDoesNotOpenARegion() throws IOException {
        assertThat(select("--BEGIN--x\nno\n--BEGIN--xyz\nno\n--BEGIN--\nyes\n--END--\n", "--BEGIN--", "--END--"))
                .isEqualTo("yes\n");
    }

    @Test
    void markersEndingInCarriageReturnNewlineKeepTheKeptLinesCarriageReturns() throws IOException {
        assertThat(select("a\r\n--BEGIN--\r\nb\r\nc\r\n--END--\r\nd\r\n", "--BEGIN--", "--END--"))
                .isEqualTo("b\r\nc\r\n");
    }

    @Test
    void anEndMarkerAsTheLastLineWithoutNewlineClosesTheRegion() throws IOException {
        assertThat(select("B\na\nE", "B", "E")).isEqualTo("a\n");
        assertThat(select("B\na\nE\r", "B", "E")).isEqualTo("a\n");
    }

    @Test
    void aBeginMarkerAsTheLastLineWithoutNewlinePassesNothing() throws IOException {
        assertThat(select("a\nB", "B", "E")).isEmpty();
    }

    @Test
    void emptyLinesInsideARegionAreKept() throws IOException {
        assertThat(select("\nB\n\n\r\na\n\nE\n\n", "B", "E")).isEqualTo("\n\r\na\n\n");
    }

    @Test
    void textAfterTheLastEndMarkerIsDropped() throws IOException {
        assertThat(select("B\na\nE\ntail\nmore tail without newline", "B", "E")).isEqualTo("a\n");
    }

    @Test
    void aBeginMarkerNeverClosedKeepsEverythingUpToTheEndAsIs() throws IOException {
        assertThat(select("x\nB\na\nb", "B", "E")).isEqualTo("a\nb");
        assertThat(select("x\nB\na\nb\n", "B", "E")).isEqualTo("a\nb\n");
    }

    @Test
    void aBeginMarkerInsideARegionIsAnOrdinaryLine() throws IOException {
        assertThat(select("B\nB\na\nE\n", "B", "E")).isEqualTo("B\na\n");
    }

    @Test
    void binaryBytesIncludingNulAreCopiedExactly() throws IOException {
        byte[] kept = {0, 1, (byte) 0xff, '\r', 0, '\n', 0, 'E', '\n', 'E', 0, '\n', (byte) 0x80, '\r', '\n'};
        byte[] data = concat("\0\nB\n".getBytes(UTF_8), kept, "E\n\0tail".getBytes(UTF_8));
        for (int maxRead : new int[] {1, 2, 3, Integer.MAX_VALUE}) {
            assertThat(select(data, "B", "E", maxRead)).as("reads of at most %d bytes", maxRead).isEqualTo(kept);
        }
    }

    @Test
    void aMarkerWithANulByteMatchesOnlyExactly() throws IOException {
        assertThat(select("\0B\nx\n\0B\0\nkept\n\0E\nout\n", "\0B", "\0E")).isEqualTo("x\n\0B\0\nkept\n");
    }

    @Test
    void aLineFarLongerThanTheMarkerInsideARegionStreamsToDiskWithoutBeingHeld() throws IOException {
        // Starts like the end marker, so a scan that waited to compare it would have to hold it whole.
        assertSelectsWithoutHoldingTheLine(generated("noise\nBEGIN\nEND", LONG_LINE, ""), generated("END", LONG_LINE, ""));
    }

    @Test
    void aLineFarLongerThanTheMarkerThatEndsARegionIsKeptWithItsNewline() throws IOException {
        assertSelectsWithoutHoldingTheLine(
                generated("BEGIN\n", LONG_LINE, "\nEND\ntail"), generated("", LONG_LINE, "\n"));
    }

    @Test
    void aLineFarLongerThanTheMarkerOutsideARegionIsSkippedWithoutBeingHeld() throws IOException {
        assertSelectsWithoutHoldingTheLine(
                generated("BEGIN", LONG_LINE, "\nBEGIN\nkept\nEND\n"), generated("kept\n", 0, ""));
    }

    /**
     * The thread's allocation count is independent of heap size and garbage collection: a scan that buffered the line
     * would allocate at least its size.
     */
    private void assertSelectsWithoutHoldingTheLine(StepData source, StepData expected) throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        SpoolDirectory spools = new SpoolDirectory(directory, 4096, Runnable::run);

        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        try (StepData selected = DelimitedLines.select(source, "BEGIN", "END", spools)) {
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

            assertThat(allocated).isLessThan(LONG_LINE / 16);
            assertSameBytes(expected, selected);
        }
    }

    private static void assertSameBytes(StepData expected, StepData actual) throws IOException {
        try (InputStream want = expected.open();
                InputStream got = actual.open()) {
            byte[] wantChunk = new byte[1 << 16];
            byte[] gotChunk = new byte[1 << 16];
            long position = 0;
            while (true) {
                int wantLength = want.readNBytes(wantChunk, 0, wantChunk.length);
                int gotLength = got.readNBytes(gotChunk, 0, gotChunk.length);
                assertThat(Arrays.copyOf(gotChunk, gotLength))
                        .as("bytes from %d", position)
                        .isEqualTo(Arrays.copyOf(wantChunk, wantLength));
                if (wantLength == 0) {
                    return;
                }
                position += wantLength;
            }
        }
    }

    /** {@code prefix}, then a generated line of {@code length} bytes without newline, then {@code suffix}. */
    private static StepData generated(String prefix, long length, String suffix) {
        return fixed(() -> new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(prefix.getBytes(UTF_8)),
                new GeneratedLine(length),
                new ByteArrayInputStream(suffix.getBytes(UTF_8))))));
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static StepData fixed(Opener opener) {
        return new StepData() {
            @Override
            public InputStream open() throws IOException {
                return opener.open();
            }

            @Override
            public void close() {}
        };
    }

    /** Letters a to z over and over, made as they are read so the test itself holds none of them. */
    private static final class GeneratedLine extends InputStream {
        private final long length;
        private long position;

        GeneratedLine(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            return position < length ? 'a' + (int) (position++ % 26) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            int count = (int) Math.min(len, length - position);
            for (int i = 0; i < count; i++) {
                b[off + i] = (byte) ('a' + (int) (position++ % 26));
            }
            return count;
        }
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt(part -> part.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
