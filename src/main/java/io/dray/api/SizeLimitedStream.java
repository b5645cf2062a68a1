package io.dray.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A body, or a part of one, that answers 413 once more than its limit was read, whether or not it announced its length.
 * The answer also closes the connection: the rest of the body is never read, and a client that sent its next request
 * on the same connection would find it closed under it.
 */
final class SizeLimitedStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long read;

    /** @param what how the message names what is too large, e.g. "the request body" */
    SizeLimitedStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    static WebApplicationException tooLarge(String what, long limit) {
        return new WebApplicationException(Response.fromResponse(ErrorMappers.error(
                        Response.Status.REQUEST_ENTITY_TOO_LARGE, what + " is larger than " + limit + " bytes"))
                .header("Connection", "close")
                .build());
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
            throw tooLarge(what, limit);
        }
    }
}
