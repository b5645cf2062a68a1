package io.dray.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's log on its way to the store. Lines are gathered into batches so that thousands of lines cost one round trip;
 * a batch is written when it is full, when {@link #flush()} is called (at the end of each step, and periodically by the
 * engine so that a quiet step's lines still show up). While the store is unavailable lines wait in memory, up to
 * {@code maxBufferedLines}; past that the log {@link #overflowed()} and its job must stop.
 */
public final class JobLog {
    private static final Logger LOG = LoggerFactory.getLogger(JobLog.class);

    /** A longer line is cut into pieces of this size, so that output with no newline cannot fill the heap. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final String jobId;
    private final Writer writer;
    private final List<String> secrets;
    private final int maxBatchLines;
    private final int maxBatchBytes;
    private final int maxBufferedLines;
    private List<String> pending = new ArrayList<>();
    /** The stream of each pending line, one {@link LogStream#code()} per line. */
    private StringBuilder pendingStreams = new StringBuilder();
    private int pendingBytes;
    private boolean claimLost;
    private boolean overflowed;
    private boolean storeDown;

    /**
     * Where batches go, each line with the code of its stream: true if written, false if the job's claim no longer holds
     * (nothing was written).
     */
    @FunctionalInterface
    public interface Writer {
        boolean write(List<String> lines, String streams);
    }

    /** @param secrets values that must never be stored: a line that contains one is stored with it masked */
    public JobLog(String jobId, Writer writer, List<String> secrets, int maxBatchLines, int maxBatchBytes,
            int maxBufferedLines) {
        this.jobId = jobId;
        this.writer = writer;
        this.secrets = List.copyOf(secrets);
        this.maxBatchLines = maxBatchLines;
        this.maxBatchBytes = maxBatchBytes;
        this.maxBufferedLines = maxBufferedLines;
    }

    /** A line of Dray's own in the job's log (stream {@link LogStream#DRAY}). */
    public void note(String line) {
        add(line, LogStream.DRAY);
    }

    /** A new writer for one of a step's streams; each stream keeps its own partial last line. */
    public Stream newStream(LogStream stream) {
        return new Stream(stream);
    }

    synchronized void add(String line, LogStream stream) {
        if (overflowed || claimLost) {
            return;
        }
        for (String secret : secrets) {
            line = line.replace(secret, EnvVar.MASK);
        }
        pending.add(line);
        pendingStreams.append(stream.code());
        pendingBytes += line.length();
        if (pending.size() >= maxBufferedLines) {
            overflowed = true;
            LOG.error("job {}: {} log lines wait for the store; the job stops", jobId, pending.size());
        } else if (!storeDown && (pending.size() >= maxBatchLines || pendingBytes >= maxBatchBytes)) {
            tryFlush();
        }
    }

    /** Writes what is pending; throws {@link StoreUnavailableException} (keeping the lines) if the store is down. */
    public synchronized void flush() {
        if (pending.isEmpty() || claimLost) {
            return;
        }
        // Written in slices, so that a batch that grew during an outage is not one huge command.
        while (!pending.isEmpty()) {
            int end = Math.min(pending.size(), maxBatchLines);
            List<String> batch = pending.subList(0, end);
            try {
                if (!writer.write(batch, pendingStreams.substring(0, end))) {
                    claimLost = true;
                    pending = new ArrayList<>();
                    pendingStreams = new StringBuilder();
                    pendingBytes = 0;
                    return;
                }
                storeDown = false;
            } catch (StoreUnavailableException e) {
                storeDown = true;
                throw e;
            }
            batch.clear();
            pendingStreams.delete(0, end);
        }
        pendingBytes = 0;
    }

    private void tryFlush() {
        try {
            flush();
        } catch (StoreUnavailableException e) {
            LOG.warn("job {}: log lines wait for the store: {}", jobId, e.getMessage());
        }
    }

    /** True once the store refused a batch because the claim no longer holds: whoever runs the job should stop. */
    public synchronized boolean claimLost() {
        return claimLost;
    }

    /** True once more lines waited for the store than allowed; they were dropped from then on. */
    public synchronized boolean overflowed() {
        return overflowed;
    }

    /**
     * Splits one stream's bytes into lines on '\n'; frames from Docker need not end on a line or a character. Counts
     * what the stream wrote: its bytes, and its lines (a last line without a newline counts, the pieces of a cut line
     * do not).
     */
    public final class Stream {
        private final LogStream stream;
        private final byte[] line = new byte[MAX_LINE_BYTES];
        private int length;
        private long bytes;
        private long lines;
        private boolean partialLine;

        private Stream(LogStream stream) {
            this.stream = stream;
        }

        public void write(byte[] data, int offset, int count) {
            bytes += count;
            int end = offset + count;
            for (int i = offset; i < end; i++) {
                byte b = data[i];
                if (b == '\n') {
                    emit();
                    lines++;
                    partialLine = false;
                } else {
                    if (length == line.length) {
                        emit();
                    }
                    line[length++] = b;
                    partialLine = true;
                }
            }
        }

        /** Emits a last line that had no newline. */
        public void finish() {
            if (length > 0) {
                emit();
            }
            if (partialLine) {
                lines++;
                partialLine = false;
            }
        }

        /** What the stream wrote so far. */
        public StepRecord.Output written() {
            return new StepRecord.Output(bytes, lines);
        }

        private void emit() {
            add(new String(line, 0, length, StandardCharsets.UTF_8), stream);
            length = 0;
        }
    }
}
