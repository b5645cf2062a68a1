package io.dray.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dray.core.JobEvent;
import io.dray.core.StoreDataException;
import java.util.List;

/** Events as they are published on the events channel: JSON, times as ISO-8601 text, for any subscriber to read. */
final class EventCodec {
    private final ObjectWriter writer;
    private final ObjectReader reader;

    EventCodec(ObjectMapper json) {
        this.writer = json.writerFor(JobEvent.class).without(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        this.reader = json.readerFor(JobEvent.class);
    }

    String toJson(JobEvent event) {
        try {
            return writer.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event " + event, e);
        }
    }

    List<String> toJson(List<JobEvent> events) {
        return events.stream().map(this::toJson).toList();
    }

    JobEvent fromJson(String json) {
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new StoreDataException("unreadable event on the events channel: " + e.getOriginalMessage(), e);
        }
    }
}
