package io.dray.store;

/**
 * The one place Redis keys are spelled. Everything Dray keeps lives under a prefix ({@code dray:} by default):
 * <ul>
 *   <li>{@code <prefix>jobs}: sorted set of every job id, scored by submission order, for {@code GET /jobs};
 *   <li>{@code <prefix>jobs:sequence}: the counter that gives those scores;
 *   <li>{@code <prefix>job:<id>}: hash with the submitted job and its state;
 *   <li>{@code <prefix>job:<id>:log}: list of the job's log lines.
 * </ul>
 * A job's keys live until the job is deleted.
 */
final class RedisKeys {
    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    String jobs() {
        return prefix + "jobs";
    }

    String jobSequence() {
        return prefix + "jobs:sequence";
    }

    String job(String id) {
        return prefix + "job:" + id;
    }

    String log(String id) {
        return prefix + "job:" + id + ":log";
    }
}
