package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void durationsAreReadInEveryUnitUpToAYear() {
        assertThat(Durations.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("8784h")).isEqualTo(Durations.MAX);
    }

    @Test
    void negativeZeroAbsurdAndOverflowingDurationsAreRefusedWithTheirText() {
        assertThatThrownBy(() -> Durations.parse("-5m")).hasMessage("\"-5m\" is not a duration: write seconds, or e.g. 90s, 15m, 2h");
        assertThatThrownBy(() -> Durations.parse("0")).hasMessage("\"0\" is not a positive duration");
        assertThatThrownBy(() -> Durations.parse("8785h")).hasMessage("\"8785h\" is longer than 366 days");
        assertThatThrownBy(() -> Durations.parse("9".repeat(400) + "h")).hasMessageEndingWith("is longer than 366 days");
        assertThatThrownBy(() -> Durations.atMostMax(Double.NaN, "NaN")).hasMessage("NaN is longer than 366 days");
        assertThatThrownBy(() -> Durations.atMostMax(Double.POSITIVE_INFINITY, "1e400"))
                .hasMessage("1e400 is longer than 366 days");
    }

    @Test
    void backoffDoublesUpToItsMaximum() {
        Duration first = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(5);
        assertThat(Durations.backoff(first, max, 1)).isEqualTo(first);
        assertThat(Durations.backoff(first, max, 3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Durations.backoff(first, max, Integer.MAX_VALUE)).isEqualTo(max);
    }
}
