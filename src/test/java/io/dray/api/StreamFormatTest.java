package io.dray.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.JobEvent;
import io.dray.core.LogLine;
import io.dray.core.LogStream;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamFormatTest {
    private final ObjectMapper json = Jackson.newObjectMapper()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void anSseLineIsAnEventWithItsIndexAsIdAndACarriageReturnSplitsItsData() {
        byte[] sse = StreamFormat.SSE.lines(List.of(new LogLine(7, LogStream.STDOUT, "a\rb"),
                new LogLine(8, LogStream.STDERR, "")), json);
        assertThat(new String(sse, UTF_8)).isEqualTo("event: line\nid: 7\ndata: a\ndata: b\n\nevent: line\nid: 8\ndata: \n\n");
    }

    @Test
    void anNdjsonLineIsOneObjectPerLineAndTheEndCarriesTheStatus() {
        byte[] lines = StreamFormat.NDJSON.lines(List.of(new LogLine(0, LogStream.STDOUT, "say \"hi\"")), json);
        assertThat(new String(lines, UTF_8)).isEqualTo("{\"index\":0,\"line\":\"say \\\"hi\\\"\"}\n");
        byte[] end = StreamFormat.NDJSON.end(Map.of("status", "complete"), json);
        assertThat(new String(end, UTF_8)).isEqualTo("{\"end\":true,\"status\":{\"status\":\"complete\"}}\n");
        assertThat(new String(StreamFormat.SSE.end(Map.of("status", "error"), json), UTF_8))
                .isEqualTo("event: end\ndata: {\"status\":\"error\"}\n\n");
    }

    @Test
    void anEventIsNamedByItsTypeAndKeepAlivesAreNoEvents() {
        JobEvent event = new JobEvent("step.exited", "J", 1, "error", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(new String(StreamFormat.SSE.events(List.of(event), json), UTF_8)).isEqualTo("event: step.exited\n"
                + "data: {\"type\":\"step.exited\",\"job\":\"J\",\"step\":1,\"status\":\"error\",\"time\":\"2026-01-01T00:00:00Z\"}\n\n");
        assertThat(new String(StreamFormat.SSE.keepAlive(), UTF_8)).startsWith(":");
        assertThat(new String(StreamFormat.NDJSON.keepAlive(), UTF_8)).isEqualTo("\n");
    }

    @Test
    void anEventsIdIsItsSseIdAndAResetTellsTheClientToReadAgain() {
        JobEvent event = new JobEvent("job.queued", "J", null, "queued", Instant.parse("2026-01-01T00:00:00Z"))
                .withId("1767225600000-3");
        assertThat(new String(StreamFormat.SSE.events(List.of(event), json), UTF_8)).isEqualTo("event: job.queued\n"
                + "id: 1767225600000-3\n"
                + "data: {\"type\":\"job.queued\",\"job\":\"J\",\"status\":\"queued\",\"time\":\"2026-01-01T00:00:00Z\","
                + "\"id\":\"1767225600000-3\"}\n\n");
        assertThat(new String(StreamFormat.SSE.reset("read again", json), UTF_8))
                .isEqualTo("event: reset\ndata: {\"message\":\"read again\"}\n\n");
        assertThat(new String(StreamFormat.NDJSON.reset("read again", json), UTF_8))
                .isEqualTo("{\"reset\":true,\"message\":\"read again\"}\n");
    }

    @Test
    void eventIdsAreOrderedAsNumbersNotAsText() {
        assertThat(JobEvent.compareIds("9-0", "10-0")).isNegative();
        assertThat(JobEvent.compareIds("10-2", "10-10")).isNegative();
        assertThat(JobEvent.compareIds("10-2", "10-2")).isZero();
        assertThat(JobEvent.isId("1764460800000-0")).isTrue();
        assertThat(JobEvent.isId("1764460800000")).isFalse();
        assertThat(JobEvent.isId("99999999999999999999-0")).as("beyond a long").isFalse();
        assertThat(JobEvent.isId("-1-0")).isFalse();
    }

    @Test
    void theAcceptHeaderChoosesTheFormat() {
        assertThat(StreamFormat.accepted("text/event-stream")).isEqualTo(StreamFormat.SSE);
        assertThat(StreamFormat.accepted("application/x-ndjson, */*")).isEqualTo(StreamFormat.NDJSON);
        assertThat(StreamFormat.accepted("application/json")).isNull();
        assertThat(StreamFormat.accepted(null)).isNull();
    }
}
