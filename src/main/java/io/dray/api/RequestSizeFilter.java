package io.dray.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies over the configured size with 413, whether they announce their length or not; a multipart
 * body (a job with its input) may be larger by the size of an input.
 */
public final class RequestSizeFilter implements ContainerRequestFilter {
    private final long maxBytes;
    private final long maxMultipartBytes;

    public RequestSizeFilter(long maxBytes, long maxInputBytes) {
        this.maxBytes = maxBytes;
        this.maxMultipartBytes = maxBytes + maxInputBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        MediaType type = request.getMediaType();
        long limit = type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE) ? maxMultipartBytes : maxBytes;
        if (request.getLength() > limit) {
            throw tooLarge(limit);
        }
        request.setEntityStream(new LimitedStream(request.getEntityStream(), limit));
    }

    /**
     * Also closes the connection: the rest of the body is never read, and a client that sent its next request on the
     * same connection would find it closed under it.
     */
    private static WebApplicationException tooLarge(long limit) {
        return new WebApplicationException(Response.fromResponse(ErrorMappers.error(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                        "the request body is larger than " + limit + " bytes"))
                .header("Connection", "close")
                .build());
    }

    /** Counts a body without a length as it is read. */
    private static final class LimitedStream extends FilterInputStream {
        private final long limit;
        private long read;

        LimitedStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
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
                throw tooLarge(limit);
            }
        }
    }
}
