package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UnannotatedJsonWritesTest {
    /** Some annotations, as a resource method has them. */
    private static final Annotation[] RESOURCE_METHOD = Deprecated.class.getAnnotations();

    @Test
    void aJsonAnswerIsWrittenWithoutTheMethodsAnnotations() throws Exception {
        Context context = new Context(MediaType.valueOf("application/json;charset=UTF-8"));

        new UnannotatedJsonWrites().aroundWriteTo(context.proxy());

        assertThat(context.written.get()).isEmpty();
    }

    @Test
    void anyOtherAnswerKeepsThem() throws Exception {
        Context context = new Context(MediaType.TEXT_PLAIN_TYPE);

        new UnannotatedJsonWrites().aroundWriteTo(context.proxy());

        assertThat(context.written.get()).isNotEmpty().isSameAs(RESOURCE_METHOD);
    }

    /** A writer context that keeps the annotations it is given, and those the write went on with. */
    private static final class Context {
        final MediaType mediaType;
        final AtomicReference<Annotation[]> annotations = new AtomicReference<>(RESOURCE_METHOD);
        final AtomicReference<Annotation[]> written = new AtomicReference<>();

        Context(MediaType mediaType) {
            this.mediaType = mediaType;
        }

        WriterInterceptorContext proxy() {
            return (WriterInterceptorContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {WriterInterceptorContext.class}, (self, method, args) -> switch (method.getName()) {
                        case "getMediaType" -> mediaType;
                        case "getAnnotations" -> annotations.get();
                        case "setAnnotations" -> {
                            annotations.set((Annotation[]) args[0]);
                            yield null;
                        }
                        case "proceed" -> {
                            written.set(annotations.get());
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }
}
