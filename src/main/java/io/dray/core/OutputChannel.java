package io.dray.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a step's data for the next step comes from: its stdout, its stderr, or a file inside its container. */
public sealed interface OutputChannel {
    OutputChannel STDOUT = new Stream("stdout");
    OutputChannel STDERR = new Stream("stderr");

    /** The channel as users write it in a job: {@code stdout}, {@code stderr} or an absolute path. */
    @JsonValue
    String value();

    @JsonCreator
    static OutputChannel parse(String value) {
        if (value == null || value.equals(STDOUT.value())) {
            return STDOUT;
        }
        if (value.equals(STDERR.value())) {
            return STDERR;
        }
        if (value.startsWith("/") && value.length() > 1) {
            return new File(value);
        }
        throw new IllegalArgumentException("output must be \"stdout\", \"stderr\" or an absolute file path, not \"" + value + "\"");
    }

    record Stream(String value) implements OutputChannel {}

    record File(String path) implements OutputChannel {
        @Override
        public String value() {
            return path;
        }
    }
}
