package io.dray.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them in jobs: a number of seconds, or a number with a unit: 500ms, 90s, 15m, 2h. */
public final class Durations {
    /** The longest duration a job may give: any longer is a mistake, and would overflow the times it is added to. */
    public static final Duration MAX = Duration.ofDays(366);
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration: write seconds, or e.g. 90s, 15m, 2h");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
        };
        if (millis < 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not a positive duration");
        }
        return atMostMax(millis, "\"" + text + "\"");
    }

    /** The duration of so many milliseconds, if it is no longer than {@link #MAX}. */
    public static Duration atMostMax(double millis, String written) {
        if (!(millis <= MAX.toMillis())) {
            throw new IllegalArgumentException(written + " is longer than " + MAX.toDays() + " days");
        }
        return Duration.ofMillis((long) millis);
    }

    /**
     * The wait before the next try after try number {@code tries} (from 1): {@code first}, doubled after each try,
     * never longer than {@code max}.
     */
    public static Duration backoff(Duration first, Duration max, int tries) {
        Duration delay = first;
        for (int i = 1; i < tries && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** The shortest way to write it back: 90s, 15m, 1h30m, 500ms. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
            seconds %= 3600;
        }
        if (seconds >= 60) {
            text.append(seconds / 60).append('m');
            seconds %= 60;
        }
        if (seconds > 0 || text.length() == 0) {
            text.append(seconds).append('s');
        }
        return text.toString();
    }
}
