package io.dray.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.dray.core.JobEngine;
import io.dray.core.LogFilter;
import io.dray.core.LogLine;
import io.dray.core.LogPage;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The answer of {@code GET /jobs/{id}/log}, {@code {"lines": [...]}}, written while it is read: page after page from
 * the store, so that a log of millions of lines costs the heap one page. With a {@code limit}, also {@code "next"}: the
 * index to ask from for the next page, or null once the job has ended and nothing is left.
 */
final class LogOutput implements StreamingOutput {
    /** Lines read from the store per round trip. */
    static final int PAGE_LINES = 1000;

    private final JobEngine engine;
    private final JsonFactory json;
    private final String id;
    private final LogFilter filter;
    private final LogPage first;
    private final Integer limit;

    /**
     * @param first the first page, read before the answer began (so that an unknown job is a 404)
     * @param limit the most lines to answer, null for every line
     */
    LogOutput(JobEngine engine, JsonFactory json, String id, LogFilter filter, LogPage first, Integer limit) {
        this.engine = engine;
        this.json = json;
        this.id = id;
        this.filter = filter;
        this.first = first;
        this.limit = limit;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try (JsonGenerator generator = json.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeArrayFieldStart("lines");
            Long next = writeLines(generator);
            generator.writeEndArray();
            if (limit != null) {
                generator.writeFieldName("next");
                if (next == null) {
                    generator.writeNull();
                } else {
                    generator.writeNumber(next);
                }
            }
            generator.writeEndObject();
        } catch (RuntimeException e) {
            // Too late for an error answer: the status is sent. Cut the answer short, so that the client sees it broken.
            throw new IOException("cannot read the log of job " + id + ": " + e.getMessage(), e);
        }
    }

    /** Writes the lines; returns the index to read on from, or null if nothing more will ever come. */
    private Long writeLines(JsonGenerator generator) throws IOException {
        long written = 0;
        LogPage page = first;
        while (true) {
            for (LogLine line : page.lines()) {
                if (limit != null && written == limit) {
                    return line.index();
                }
                generator.writeString(line.text());
                written++;
            }
            if (page.exhausted()) {
                return page.isLast() ? null : page.next();
            }
            if (limit == null && page.next() >= first.length()) {
                // Every line there was when the answer began: a job that writes faster than it is read cannot make
                // the answer endless.
                return page.next();
            }
            page = engine.log(id, page.next(), PAGE_LINES, filter);
        }
    }
}
