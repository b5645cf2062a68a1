package io.dray.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEvent;
import io.dray.core.LogLine;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a live stream writes what it carries: Server-Sent Events ({@code text/event-stream}: {@code event: line},
 * {@code id: <index>}, {@code data: <line>}) or newline-delimited JSON ({@code application/x-ndjson}: one object per
 * line). SSE splits data on line breaks, so a carriage return inside a log line reaches an SSE client as a new line.
 */
enum StreamFormat {
    SSE("text/event-stream"),
    NDJSON("application/x-ndjson");

    private final String mediaType;

    StreamFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    String mediaType() {
        return mediaType;
    }

    /** The format the Accept header asks for, SSE first; null if neither. */
    static StreamFormat accepted(String accept) {
        if (accept == null) {
            return null;
        } else if (accept.contains(SSE.mediaType)) {
            return SSE;
        } else if (accept.contains(NDJSON.mediaType)) {
            return NDJSON;
        }
        return null;
    }

    byte[] lines(List<LogLine> lines, ObjectMapper json) {
        StringBuilder text = new StringBuilder();
        for (LogLine line : lines) {
            if (this == SSE) {
                text.append("event: line\nid: ").append(line.index()).append('\n');
                data(text, line.text());
            } else {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("index", line.index());
                object.put("line", line.text());
                text.append(json(json, object)).append('\n');
            }
        }
        return bytes(text);
    }

    /** The last message of a log follow: the job's status as {@code GET /jobs/{id}} answers it. */
    byte[] end(Object status, ObjectMapper json) {
        if (this == SSE) {
            StringBuilder text = new StringBuilder("event: end\n");
            data(text, json(json, status));
            return bytes(text);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("end", true);
        object.put("status", status);
        return (json(json, object) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    byte[] events(List<JobEvent> events, ObjectMapper json) {
        StringBuilder text = new StringBuilder();
        for (JobEvent event : events) {
            if (this == SSE) {
                text.append("event: ").append(event.type()).append('\n');
                if (event.id() != null) {
                    // What an EventSource sends back as Last-Event-ID when it reconnects.
                    text.append("id: ").append(event.id()).append('\n');
                }
                data(text, json(json, event));
            } else {
                text.append(json(json, event)).append('\n');
            }
        }
        return bytes(text);
    }

    /**
     * Tells a client that resumed a stream that what it missed is not all kept: SSE {@code event: reset} with
     * {@code {"message"}}, or the NDJSON line {@code {"reset": true, "message"}}. The stream goes on.
     */
    byte[] reset(String message, ObjectMapper json) {
        if (this == SSE) {
            StringBuilder text = new StringBuilder("event: reset\n");
            data(text, json(json, Map.of("message", message)));
            return bytes(text);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("reset", true);
        object.put("message", message);
        return (json(json, object) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** An error that ends the stream, as {@code {code, message}}. */
    byte[] error(int code, String message, ObjectMapper json) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (this == SSE) {
            StringBuilder text = new StringBuilder("event: error\n");
            data(text, json(json, error));
            return bytes(text);
        }
        return (json(json, Map.of("error", error)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Keeps proxies from closing a quiet stream: an SSE comment, or an empty line of NDJSON. */
    byte[] keepAlive() {
        return (this == SSE ? ": keep-alive\n\n" : "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void data(StringBuilder text, String data) {
        for (String piece : data.split("\r\n|\r|\n", -1)) {
            text.append("data: ").append(piece).append('\n');
        }
        text.append('\n');
    }

    private static String json(ObjectMapper json, Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
