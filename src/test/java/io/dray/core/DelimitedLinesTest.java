package io.dray.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DelimitedLinesTest {
    @TempDir
    Path directory;

    private String select(String data, String begin, String end) throws IOException {
        SpoolDirectory spools = new SpoolDirectory(directory, 1 << 20, Runnable::run);
        Spool source = spools.newSpool();
        byte[] bytes = data.getBytes(UTF_8);
        source.write(bytes, 0, bytes.length);
        try (StepData selected = DelimitedLines.select(source.finish(), begin, end, spools)) {
            return new String(SpoolTest.readAll(selected), UTF_8);
        }
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
}
