package io.dray.api;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A response that stays open and is written without blocking any thread (the Servlet API's non-blocking output):
 * what is sent waits here until the client can take it, and the producer is told when everything was taken, so that it
 * makes the next part then, and not before. A slow client therefore costs one part of memory and no thread; a client
 * that went away is noticed at the next write, and the stream closes.
 */
final class AsyncStream implements WriteListener, AsyncListener {
    /** Whoever fills the stream. Called without the stream's lock held; must only hand work on. */
    interface Producer {
        /** Everything sent so far was taken: the next part may come. */
        void drained();

        /** The stream closed (the client went away, or it was finished): stop producing. */
        void closed();
    }

    private final AsyncContext context;
    private final ServletOutputStream out;
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private Producer producer;
    /** Set once the container called {@link #onWritePossible()}: from then on writes never block. */
    private boolean listening;
    private boolean finishing;
    private boolean closed;
    private volatile long lastSent = System.nanoTime();

    private AsyncStream(AsyncContext context, ServletOutputStream out) {
        this.context = context;
        this.out = out;
    }

    /** Answers 200 with the content type and keeps the response open, without a timeout. */
    static AsyncStream open(HttpServletRequest request, HttpServletResponse response, String contentType)
            throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(contentType);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        // Proxies that buffer (nginx) would hold the stream back.
        response.setHeader("X-Accel-Buffering", "no");
        AsyncContext context = request.startAsync();
        context.setTimeout(0);
        return new AsyncStream(context, response.getOutputStream());
    }

    /** Starts writing; the producer is told when the stream is first ready. */
    void start(Producer producer) {
        synchronized (this) {
            this.producer = producer;
        }
        context.addListener(this);
        out.setWriteListener(this);
    }

    /** Whether everything sent so far was taken: the time to send more. */
    synchronized boolean drained() {
        return pending.isEmpty() && !closed;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Nanoseconds ({@link System#nanoTime()}) when something was last sent. */
    long lastSent() {
        return lastSent;
    }

    /** Queues a part; it is written once the stream started (a write before would block a thread). */
    void send(byte[] part) {
        synchronized (this) {
            if (closed || finishing) {
                return;
            }
            pending.add(part);
            lastSent = System.nanoTime();
        }
        drain();
    }

    /** Sends the last part, then ends the response once the client took it. */
    void finish(byte[] last) {
        synchronized (this) {
            if (closed || finishing) {
                return;
            }
            pending.add(last);
            finishing = true;
        }
        drain();
    }

    /** Called by the container when the client can take more (the first time, once the listener is set). */
    @Override
    public void onWritePossible() {
        synchronized (this) {
            listening = true;
        }
        drain();
    }

    /** Writes what waits while the client takes it. */
    private void drain() {
        boolean tellDrained = false;
        boolean complete = false;
        synchronized (this) {
            if (closed || !listening) {
                return;
            }
            try {
                while (!pending.isEmpty()) {
                    if (!out.isReady()) {
                        return; // called again once the client took what is on its way
                    }
                    out.write(pending.poll());
                }
                if (!out.isReady()) {
                    return;
                }
                out.flush();
                if (finishing) {
                    complete = true;
                    closed = true;
                } else {
                    tellDrained = true;
                }
            } catch (IOException | IllegalStateException e) {
                closed = true;
                complete = true;
            }
        }
        if (complete) {
            end();
        } else if (tellDrained) {
            producer.drained();
        }
    }

    /** Ends the response now, whatever waits: the client went away, or the server stops. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending.clear();
        }
        end();
    }

    private void end() {
        try {
            context.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container (the client went away).
        }
        Producer told;
        synchronized (this) {
            told = producer;
        }
        if (told != null) {
            told.closed();
        }
    }

    @Override
    public void onError(Throwable failure) {
        close();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        close();
    }

    @Override
    public void onError(AsyncEvent event) {
        close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not started again.
    }
}
