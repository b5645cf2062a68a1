package io.dray.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A body, or a part of one, that answers 413 once more than its limit was read, whether or not it announced its length.
 * Before answering it reads and drops the rest of the body, up to {@link #DRAINED} bytes: a client that sends its whole
 * body before it reads the answer (most do, without {@code Expect: 100-continue}) would otherwise find the connection
 * closed under it, and get a broken pipe instead of the 413. A body larger still gets its answer with the connection
 * closed, as nothing else can be done short of reading it whole.
 */
final class SizeLimitedStream extends FilterInputStream {
    /** What Dray reads and drops of a too-large body, so that its sender gets the answer. */
    static final long DRAINED = 64L << 20;
    private final long limit;
    private final String what;
    private long read;

    /** @param what how the message names what is too large, e.g. "the request body" */
    SizeLimitedStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    /**
     * The 413 for a body over its limit, once its rest was read and dropped, up to {@link #DRAINED} bytes: the
     * connection is kept when it all was, and closed when it was not (what is left unread would be taken as the next
     * request).
     *
     * @param rest the rest of the body, or null if it is known to be too large to be read and dropped
     */
    static WebApplicationException tooLarge(String what, long limit, InputStream rest) {
        Response.ResponseBuilder answer = Response.fromResponse(ErrorMappers.error(
                Response.Status.REQUEST_ENTITY_TOO_LARGE, what + " is larger than " + limit + " bytes"));
        if (rest == null || !drain(rest)) {
            answer.header("Connection", "close");
        }
        return new WebApplicationException(answer.build());
    }

    /** Reads and drops the rest of a body, up to {@link #DRAINED} bytes; whether it was all read. */
    static boolean drain(InputStream rest) {
        byte[] dropped = new byte[64 * 1024];
        long left = DRAINED;
        try {
            while (left > 0) {
                int n = rest.read(dropped, 0, (int) Math.min(dropped.length, left));
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return rest.read() < 0;
        } catch (IOException e) {
            return false; // the client went away, or sent a body that cannot be read: the connection is closed
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? 0 : 1);
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = super.read(bytes, offset, length);
        count(Math.max(n, 0));
        return n;
    }

    private void count(int n) {
        read += n;
        if (read > limit) {
            throw tooLarge(what, limit, in);
        }
    }
}
