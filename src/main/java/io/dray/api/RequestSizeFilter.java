package io.dray.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * Refuses request bodies over the configured size with 413, whether they announce their length or not; a multipart
 * body (a job with its input) may be larger by the size of an input.
 */
public final class RequestSizeFilter implements ContainerRequestFilter {
    private static final String BODY = "the request body";
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
            boolean drainable = request.getLength() <= SizeLimitedStream.DRAINED;
            throw SizeLimitedStream.tooLarge(BODY, limit, drainable ? request.getEntityStream() : null);
        }
        request.setEntityStream(new SizeLimitedStream(request.getEntityStream(), limit, BODY));
    }
}
