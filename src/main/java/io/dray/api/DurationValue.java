package io.dray.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.dray.core.Durations;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * A duration as users write it, seconds ({@code 90}) or a duration ({@code "90s"}, {@code "15m"}); echoed back as
 * given. {@code 0} is what the original's production fork sent for "none" (its fields were omitted when 0).
 */
public record DurationValue(@JsonValue Object written, Duration duration) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DurationValue of(Object written) {
        if (written instanceof Number seconds && seconds.doubleValue() == 0) {
            return new DurationValue(written, Duration.ZERO);
        }
        if (written instanceof Number seconds && seconds.doubleValue() > 0) {
            return new DurationValue(written, Durations.atMostMax(seconds.doubleValue() * 1000, String.valueOf(written)));
        }
        if (written instanceof String text) {
            return new DurationValue(written, Durations.parse(text));
        }
        if (written instanceof Number) {
            throw new IllegalArgumentException(written + " is not a duration: write seconds, or e.g. \"90s\", \"15m\"");
        }
        throw new WrongTypeException();
    }

    /** A duration Dray kept, written as seconds (a fraction only when it has one); null for null. */
    static DurationValue inSeconds(Duration duration) {
        if (duration == null) {
            return null;
        }
        Number seconds = duration.toNanosPart() == 0 ? (Number) duration.getSeconds()
                : BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros();
        return new DurationValue(seconds, duration);
    }

    /** Neither a number nor a string (true, [], {}): a body of the wrong shape, answered 400 as other such fields. */
    static final class WrongTypeException extends RuntimeException {
        WrongTypeException() {
            super("expected seconds or a duration such as \"90s\"", null, false, false);
        }
    }

    /** The duration, or null for none (0). */
    Duration orNoneIfZero() {
        return duration.isZero() ? null : duration;
    }
}
