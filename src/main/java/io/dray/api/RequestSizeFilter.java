package io.dray.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Refuses request bodies over the configured size with 413, whether they announce their length or not. */
public final class RequestSizeFilter implements ContainerRequestFilter {
    private final long maxBytes;

    public RequestSizeFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > maxBytes) {
            throw tooLarge();
        }
        request.setEntityStream(new LimitedStream(request.getEntityStream()));
    }

    /**
     * Also closes the connection: the rest of the body is never read, and a client that sent its next request on the
     * same connection would find it closed under it.
     */
    private WebApplicationException tooLarge() {
        return new WebApplicationException(Response.fromResponse(ErrorMappers.error(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                        "the request body is larger than " + maxBytes + " bytes"))
                .header("Connection", "close")
                .build());
    }

    /** Counts a body without a length as it is read. */
    private final class LimitedStream extends FilterInputStream {
        private long read;

        LimitedStream(InputStream in) {
            super(in);
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
            if (read > maxBytes) {
                throw tooLarge();
            }
        }
    }
}
