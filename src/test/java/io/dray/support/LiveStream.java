package io.dray.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A client of one of Dray's live streams (Server-Sent Events or NDJSON), reading on a thread of its own as the
 * messages come, so that a test takes them one at a time, with a timeout, while the stream stays open.
 */
public final class LiveStream implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One Server-Sent Event; for NDJSON, one line in {@code data} (event "line"). Comments are not events. */
    public record Event(String event, String id, String data) {}

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private static final Object END = new Object();

    private LiveStream(HttpResponse<Stream<String>> response, boolean sse) {
        this.response = response;
        this.reader = new Thread(() -> read(sse), "live-stream-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream; {@code headers} are name, value pairs. Fails unless it answers 200. */
    public static LiveStream open(String url, String accept, String... headers) throws Exception {
        HttpResponse<Stream<String>> response = request(url, accept, headers);
        if (response.statusCode() != 200) {
            String body = String.join("\n", response.body().toList());
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + body);
        }
        return new LiveStream(response, accept.equals("text/event-stream"));
    }

    /** The answer to a stream request, whatever its status, for the tests of refusals. */
    public static HttpResponse<String> refused(String url, String accept, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", accept);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<Stream<String>> request(String url, String accept, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", accept);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    }

    public HttpResponse<Stream<String>> response() {
        return response;
    }

    /** The next event within the timeout; null if the stream ended first. Fails if none comes in time. */
    public Event next(Duration timeout) throws InterruptedException {
        Object next = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no event within " + timeout);
        }
        if (next == END) {
            events.add(END);
            return null;
        }
        return (Event) next;
    }

    /** Every event until the stream ends (which must happen within the timeout). */
    public List<Event> rest(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> rest = new ArrayList<>();
        for (Event event; (event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null; ) {
            rest.add(event);
        }
        return rest;
    }

    private void read(boolean sse) {
        String event = null;
        String id = null;
        StringBuilder data = null;
        try {
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (!sse) {
                    if (!line.isEmpty()) {
                        events.add(new Event("line", null, line));
                    }
                } else if (line.isEmpty()) {
                    if (data != null || event != null) {
                        events.add(new Event(event == null ? "message" : event, id, data == null ? "" : data.toString()));
                    }
                    event = null;
                    id = null;
                    data = null;
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (RuntimeException e) {
            // The stream was closed under the reader.
        } finally {
            events.add(END);
        }
    }

    @Override
    public void close() throws IOException {
        response.body().close();
        reader.interrupt();
    }
}
