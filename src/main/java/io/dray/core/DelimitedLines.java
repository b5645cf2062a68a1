package io.dray.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps only the lines strictly between a line equal to the begin marker and the next line equal to the end marker.
 *
 * <p>A step may write gigabytes without a newline, so no line is ever held whole: only the start of a line that is
 * still short enough to be the marker it could be compared against (the marker plus "\r\n") is held, and a line
 * that grows past that streams straight through, or is skipped.
 */
public final class DelimitedLines {
    /** How much is read at a time. */
    static final int CHUNK_SIZE = 64 * 1024;

    private final byte[] begin;
    private final byte[] end;
    private final Spool selected;
    /** The current line so far, while it could still be the marker. */
    private final byte[] window;
    private int held;
    /** The current line is too long to be a marker: its bytes are passed on (or dropped) as they arrive. */
    private boolean ordinary;
    private boolean inside;

    private DelimitedLines(byte[] begin, byte[] end, Spool selected) {
        this.begin = begin;
        this.end = end;
        this.selected = selected;
        this.window = new byte[Math.max(begin.length, end.length) + 2];
    }

    /** Reads {@code data} once into a new spool; the lines kept are copied byte for byte, newlines included. */
    public static StepData select(StepData data, String begin, String end, SpoolDirectory spools) throws IOException {
        Spool selected = spools.newSpool();
        try (InputStream in = data.open()) {
            DelimitedLines scan = new DelimitedLines(
                    begin.getBytes(StandardCharsets.UTF_8), end.getBytes(StandardCharsets.UTF_8), selected);
            byte[] chunk = new byte[CHUNK_SIZE];
            int length;
            while ((length = in.read(chunk)) != -1) {
                scan.scan(chunk, length);
            }
            // The last line may have no newline; an empty "line" after a final newline is no line at all.
            if (scan.held > 0) {
                scan.endLine();
            }
            return selected.finish();
        } catch (IOException | RuntimeException e) {
            selected.close();
            throw e;
        }
    }

    private void scan(byte[] chunk, int length) throws IOException {
        int from = 0;
        while (from < length) {
            int newline = indexOfNewline(chunk, from, length);
            int to = newline < 0 ? length : newline + 1;
            take(chunk, from, to - from);
            if (newline >= 0) {
                endLine();
            }
            from = to;
        }
    }

    /** Takes the next piece of the current line, which may arrive over many reads. */
    private void take(byte[] bytes, int from, int length) throws IOException {
        if (!ordinary) {
            if (held + length <= marker().length + 2) {
                System.arraycopy(bytes, from, window, held, length);
                held += length;
                return;
            }
            // Longer than the marker with "\r\n" can be: an ordinary line, whose start was held for nothing.
            ordinary = true;
            pass(window, 0, held);
            held = 0;
        }
        pass(bytes, from, length);
    }

    private void endLine() throws IOException {
        if (!ordinary) {
            if (isMarker()) {
                inside = !inside;
            } else {
                pass(window, 0, held);
            }
        }
        held = 0;
        ordinary = false;
    }

    /** Outside a region the begin marker is looked for; inside, only the end marker ends it. */
    private byte[] marker() {
        return inside ? end : begin;
    }

    private void pass(byte[] bytes, int from, int length) throws IOException {
        if (inside && length > 0) {
            selected.write(bytes, from, length);
        }
    }

    /** A marker line may end in "\n" or "\r\n", or have no end at all when it is the last. */
    private boolean isMarker() {
        int length = held;
        if (length > 0 && window[length - 1] == '\n') {
            length--;
        }
        if (length > 0 && window[length - 1] == '\r') {
            length--;
        }
        byte[] marker = marker();
        return Arrays.equals(window, 0, length, marker, 0, marker.length);
    }

    private static int indexOfNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
