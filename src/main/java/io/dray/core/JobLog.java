package io.dray.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's log on its way to the store. Lines are gathered into batches so that thousands of lines cost one round trip;
 * a batch is written when it is full, when {@link #flush()} is called (at the end of each step, and periodically by the
 * engine so that a quiet step's lines still show up), and never holds more than {@code maxBatchBytes}.
 */
public final class JobLog {
    /** A longer line is cut into pieces of this size, so that output with no newline cannot fill the heap. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final String jobId;
    private final JobStore store;
    private final int maxBatchLines;
    private final int maxBatchBytes;
    private List<String> pending = new ArrayList<>();
    private int pendingBytes;
    private boolean jobDeleted;

    public JobLog(String jobId, JobStore store, int maxBatchLines, int maxBatchBytes) {
        this.jobId = jobId;
        this.store = store;
        this.maxBatchLines = maxBatchLines;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** A new writer for one of a step's streams; each stream keeps its own partial last line. */
    public Stream newStream() {
        return new Stream();
    }

    synchronized void add(String line) {
        pending.add(line);
        pendingBytes += line.length();
        if (pending.size() >= maxBatchLines || pendingBytes >= maxBatchBytes) {
            flush();
        }
    }

    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<String> batch = pending;
        pending = new ArrayList<>();
        pendingBytes = 0;
        if (!store.appendLog(jobId, batch)) {
            jobDeleted = true;
        }
    }

    /** True once the store said the job is gone: whoever runs it should stop. */
    public synchronized boolean jobDeleted() {
        return jobDeleted;
    }

    /** Splits one stream's bytes into lines on '\n'; frames from Docker need not end on a line or a character. */
    public final class Stream {
        private final byte[] line = new byte[MAX_LINE_BYTES];
        private int length;

        public void write(byte[] bytes, int offset, int count) {
            int end = offset + count;
            for (int i = offset; i < end; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    emit();
                } else {
                    if (length == line.length) {
                        emit();
                    }
                    line[length++] = b;
                }
            }
        }

        /** Emits a last line that had no newline. */
        public void finish() {
            if (length > 0) {
                emit();
            }
        }

        private void emit() {
            add(new String(line, 0, length, StandardCharsets.UTF_8));
            length = 0;
        }
    }
}
