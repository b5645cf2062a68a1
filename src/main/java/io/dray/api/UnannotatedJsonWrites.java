package io.dray.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.IOException;
import java.lang.annotation.Annotation;

/**
 * Hands the JSON writer none of the resource method's annotations. Jackson's JAX-RS provider keys its writer cache by
 * the answer's type and those annotations, and hashes them again for every answer ({@code AnnotationBundleKey}): for
 * our methods that is every OpenAPI annotation ({@code @Operation} with its responses, schemas and descriptions), each
 * a proxy whose hash walks its members. That was a third of a {@code POST /jobs}'s CPU (docs/benchmarks.md). The
 * provider reads only Jackson's own annotations there ({@code @JsonView}, {@code @JacksonFeatures}), and Dray's
 * resource methods carry none.
 */
@Provider
public final class UnannotatedJsonWrites implements WriterInterceptor {
    private static final Annotation[] NONE = new Annotation[0];

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        if (context.getMediaType() != null && context.getMediaType().isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            context.setAnnotations(NONE);
        }
        context.proceed();
    }
}
