package io.dray.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEngine;
import io.dray.core.JobListPage;
import io.dray.core.JobQuery;
import io.dray.core.JobSummary;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The answer of {@code GET /jobs} without a limit: every job the query keeps, written while the store is read page by
 * page, so that a hundred thousand jobs cost the heap one page.
 */
final class JobListOutput implements StreamingOutput {
    /** Jobs looked at per round trip. */
    static final int PAGE_JOBS = 1000;

    private final JobEngine engine;
    private final ObjectMapper json;
    private final JobQuery query;
    private final JobListPage first;

    /** @param first the first page, read before the answer began (so that Redis being down is a 503) */
    JobListOutput(JobEngine engine, ObjectMapper json, JobQuery query, JobListPage first) {
        this.engine = engine;
        this.json = json;
        this.query = query;
        this.first = first;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try (JsonGenerator generator = json.getFactory().createGenerator(out)) {
            generator.setCodec(json);
            generator.writeStartArray();
            JobListPage page = first;
            while (true) {
                for (JobSummary job : page.jobs()) {
                    generator.writeObject(JobSummaryRepresentation.of(job));
                }
                if (page.next() == null) {
                    break;
                }
                page = engine.jobs(query.after(page.next()), PAGE_JOBS);
            }
            generator.writeEndArray();
        } catch (RuntimeException e) {
            // Too late for an error answer: the status is sent. Cut the answer short, so that the client sees it broken.
            throw new IOException("cannot read the list of jobs: " + e.getMessage(), e);
        }
    }
}
