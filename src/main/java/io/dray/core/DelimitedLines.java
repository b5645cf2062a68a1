package io.dray.core;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Keeps only the lines strictly between a line equal to the begin marker and the next line equal to the end marker. */
public final class DelimitedLines {
    private DelimitedLines() {}

    /** Reads {@code data} once into a new spool; the lines kept are copied byte for byte, newlines included. */
    public static StepData select(StepData data, String begin, String end, SpoolDirectory spools) throws IOException {
        byte[] beginMarker = begin.getBytes(StandardCharsets.UTF_8);
        byte[] endMarker = end.getBytes(StandardCharsets.UTF_8);
        Spool selected = spools.newSpool();
        try (InputStream in = new BufferedInputStream(data.open(), 64 * 1024)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean inside = false;
            boolean more = true;
            while (more) {
                line.reset();
                more = readLine(in, line);
                if (line.size() == 0 && !more) {
                    break;
                }
                byte[] bytes = line.toByteArray();
                if (!inside && isMarker(bytes, beginMarker)) {
                    inside = true;
                } else if (inside && isMarker(bytes, endMarker)) {
                    inside = false;
                } else if (inside) {
                    selected.write(bytes, 0, bytes.length);
                }
            }
            return selected.finish();
        } catch (IOException | RuntimeException e) {
            selected.close();
            throw e;
        }
    }

    /** Reads one line, its newline included; returns false at the end of the stream. */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                return true;
            }
        }
        return false;
    }

    /** A marker line may end in "\n" or "\r\n", or have no end at all when it is the last. */
    private static boolean isMarker(byte[] line, byte[] marker) {
        int length = line.length;
        if (length > 0 && line[length - 1] == '\n') {
            length--;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return length == marker.length && java.util.Arrays.equals(line, 0, length, marker, 0, length);
    }
}
