package io.dray.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The Dray API as the command-line client calls it, over the JDK's HTTP client. An answer of 4xx becomes a {@link
 * Refused} with the server's message; anything else that is not an answer (no connection, a 5xx) an {@link
 * Unreachable}. The token goes in a header only, never in a URL or a message.
 */
final class DrayServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Above the server's longest wait (20 s), which a {@code ?wait=} request takes. */
    private static final Duration ANSWER_TIME = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    /** The address as messages show it: without a user and password, if the URL has them. */
    private final String shown;
    private final String token;

    /** The server said no: its status and message, the user's to fix. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** No answer, or a server error. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }

    /**
     * @param url the server's address, e.g. {@code http://localhost:3000}
     * @param token the API token, or null for an open API
     */
    DrayServer(String url, String token) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.shown = base.getRawUserInfo() == null ? base.toString() : base.toString().replace(base.getRawUserInfo() + "@", "");
        this.token = token == null || token.isBlank() ? null : token.trim();
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    JsonNode getJson(String path) {
        return readTree(getText(path));
    }

    String getText(String path) {
        return send(request(path).GET(), HttpResponse.BodyHandlers.ofString()).body();
    }

    JsonNode postJson(String path, String body) {
        return readTree(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofString()).body());
    }

    JsonNode post(String path) {
        return readTree(send(request(path).POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    void delete(String path) {
        send(request(path).DELETE(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Reads a live stream as NDJSON, one line at a time as they come, until the server ends it.
     *
     * @param path a follow or {@code /events}
     * @param opened called once the server has answered: from then on, nothing is missed
     */
    void follow(String path, Runnable opened, Consumer<JsonNode> line) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "application/x-ndjson");
        authorize(request);
        HttpResponse<InputStream> response = send(request.GET(), HttpResponse.BodyHandlers.ofInputStream());
        opened.run();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String text; (text = lines.readLine()) != null; ) {
                if (!text.isEmpty()) { // an empty line is a keep-alive
                    line.accept(readTree(text));
                }
            }
        } catch (IOException e) {
            throw new Unreachable("the stream from " + shown + " broke: " + e.getMessage());
        }
    }

    /** Streams a JSON answer to the reader, so that a long log costs no more memory than a page of it. */
    void read(String path, Consumer<InputStream> reader) {
        HttpResponse<InputStream> response = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            reader.accept(body);
        } catch (IOException e) {
            throw new Unreachable("the answer from " + shown + " broke: " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(ANSWER_TIME);
        authorize(request);
        return request;
    }

    private void authorize(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        HttpResponse<T> response;
        try {
            response = http.send(request.build(), body);
        } catch (ConnectException e) {
            throw new Unreachable("cannot connect to " + shown + " (set DRAY_URL or --url)");
        } catch (IOException e) {
            throw new Unreachable("no answer from " + shown + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        int status = response.statusCode();
        if (status >= 400) {
            String message = errorMessage(response);
            if (status < 500) {
                throw new Refused(status, message);
            }
            throw new Unreachable(shown + " answered " + status + ": " + message);
        }
        return response;
    }

    /** The {@code message} of Dray's {@code {code, message}} error, or the answer as it is. */
    private static String errorMessage(HttpResponse<?> response) {
        String text;
        try {
            Object body = response.body();
            text = body instanceof InputStream stream ? new String(stream.readAllBytes(), StandardCharsets.UTF_8)
                    : String.valueOf(body);
        } catch (IOException e) {
            return "status " + response.statusCode();
        }
        try {
            JsonNode error = JSON.readTree(text);
            if (error.hasNonNull("message")) {
                return error.get("message").asText();
            }
        } catch (IOException e) {
            // Not Dray's JSON (a proxy's page): shown as it is.
        }
        return text.isBlank() ? "status " + response.statusCode() : text.strip();
    }

    private JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new Unreachable(shown + " answered something other than Dray's JSON: " + e.getMessage());
        }
    }
}
