package io.dray.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty gives itself, before a request reaches Jersey (a path with {@code %00} or an ambiguous
 * {@code %2F}, a URI or headers too long, a request it cannot parse), in the API's {@code {"code", "message"}} JSON
 * rather than HTML. They end the connection, and say so: Jetty closes it after such a request, and a client that was
 * not told would send its next request on a closed connection.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpField CLOSE = new HttpField(HttpHeader.CONNECTION, "close");

    /** Every method gets its message, not only GET and POST (Jetty's default leaves PUT, DELETE... an empty body). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(CLOSE);
        response.write(true, body(code, message), callback);
    }

    @Override
    public ByteBuffer badMessageError(int code, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(CLOSE);
        return body(code, reason);
    }

    /** Jetty's own message when it says more than the status does, else what the status means for a request. */
    private static ByteBuffer body(int code, String message) {
        boolean generic = message == null || message.isBlank() || message.equals(HttpStatus.getMessage(code));
        String said = !generic ? message : switch (code) {
            case 400 -> "the request cannot be read: its path (e.g. %00 or an encoded / or ..) or headers are malformed";
            case 414 -> "the URI is too long";
            case 431 -> "the request's headers are too large";
            default -> HttpStatus.getMessage(code);
        };
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(JSON.createObjectNode().put("code", code).put("message", said)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
