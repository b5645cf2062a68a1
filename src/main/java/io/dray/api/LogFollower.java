package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEngine;
import io.dray.core.JobNotFoundException;
import io.dray.core.LogFilter;
import io.dray.core.LogLine;
import io.dray.core.LogPage;
import io.dray.core.StoreUnavailableException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client following a job's log. It pulls: it reads the next page from the store only once the client took the
 * last one, so it holds one page at most, never falls behind by losing lines, and never holds up the job or another
 * follower; it is woken when the log grows or the job changes (through Redis, whichever instance runs the job), and
 * ends with the job's status once the job ended and every line was sent.
 */
final class LogFollower implements AsyncStream.Producer, LiveStreams.Follower {
    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
    /**
     * Lines per page; fewer when lines are long, so that a page stays near {@link #PAGE_BYTES}. A follower holds its
     * page until its client took it: small pages keep a thousand slow followers within a few tens of megabytes.
     */
    private static final int MAX_PAGE_LINES = 250;
    private static final int PAGE_BYTES = 16 * 1024;

    private final String jobId;
    private final LogFilter filter;
    private final StreamFormat format;
    private final AsyncStream stream;
    private final JobEngine engine;
    private final ObjectMapper json;
    private final Executor reads;
    private final Runnable onEnd;
    /** Wake-ups not yet handled; the one that makes it leave 0 runs them, so reads never overlap. */
    private final AtomicInteger wakeUps = new AtomicInteger();
    private long next;
    private int pageLines = MAX_PAGE_LINES;
    private volatile boolean ended;
    /** The last read failed (Redis down): the next keep-alive round tries again. */
    private volatile boolean readFailed;

    /**
     * @param from the index of the first line to send
     * @param onEnd told once the follow ended, whichever way
     */
    LogFollower(String jobId, long from, LogFilter filter, StreamFormat format, AsyncStream stream, JobEngine engine,
            ObjectMapper json, Executor reads, Runnable onEnd) {
        this.jobId = jobId;
        this.next = from;
        this.filter = filter;
        this.format = format;
        this.stream = stream;
        this.engine = engine;
        this.json = json;
        this.reads = reads;
        this.onEnd = onEnd;
    }

    String jobId() {
        return jobId;
    }

    @Override
    public void wake() {
        if (!ended && wakeUps.getAndIncrement() == 0) {
            try {
                reads.execute(this::readWhileWoken);
            } catch (RejectedExecutionException e) {
                stream.close(); // shutting down
            }
        }
    }

    @Override
    public void drained() {
        wake();
    }

    @Override
    public void closed() {
        if (!ended) {
            ended = true;
            onEnd.run();
        }
    }

    @Override
    public void keepAlive(long quietNanos) {
        if (System.nanoTime() - stream.lastSent() > quietNanos && stream.drained()) {
            stream.send(format.keepAlive());
        }
        if (readFailed) {
            wake();
        }
    }

    @Override
    public void close() {
        stream.close();
    }

    private void readWhileWoken() {
        do {
            try {
                readFailed = false;
                readOnePage();
            } catch (StoreUnavailableException e) {
                readFailed = true;
                LOG.debug("a follow of job {} waits for the store: {}", jobId, e.getMessage());
            } catch (JobNotFoundException e) {
                stream.finish(format.error(404, e.getMessage(), json));
            } catch (RuntimeException e) {
                LOG.error("a follow of job {} failed", jobId, e);
                stream.finish(format.error(500, "cannot follow the log: " + e.getMessage(), json));
            }
        } while (wakeUps.decrementAndGet() > 0);
    }

    private void readOnePage() {
        if (ended || !stream.drained()) {
            return; // the client has not taken the last page yet: drained() wakes this again
        }
        LogPage page = engine.log(jobId, next, pageLines, filter);
        next = page.next();
        if (!page.lines().isEmpty()) {
            adjustPageLines(page);
            stream.send(format.lines(page.lines(), json));
        }
        if (page.isLast()) {
            stream.finish(format.end(JobStatusRepresentation.of(engine.state(jobId)), json));
        } else if (!page.exhausted()) {
            wakeUps.incrementAndGet(); // more is there: read on (once the client took this page)
        }
    }

    private void adjustPageLines(LogPage page) {
        long bytes = 0;
        for (LogLine line : page.lines()) {
            bytes += line.text().length();
        }
        long perLine = Math.max(1, bytes / page.lines().size());
        pageLines = (int) Math.max(1, Math.min(MAX_PAGE_LINES, PAGE_BYTES / perLine));
    }
}
