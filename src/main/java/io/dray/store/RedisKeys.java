package io.dray.store;

/**
 * The one place Redis keys are spelled. Everything Dray keeps lives under a prefix ({@code dray:} by default):
 * <ul>
 *   <li>{@code jobs}: sorted set of every job id, scored by submission order, for {@code GET /jobs};
 *   <li>{@code jobs:sequence}: the counter that gives those scores;
 *   <li>{@code job:<id>}: hash with the submitted job, its state, and while it runs its owner, the claim's epoch, the
 *       step running, where that step's input is kept and how long the log was when it started;
 *   <li>{@code job:<id>:log}: list of the job's log lines;
 *   <li>{@code job:<id>:log:streams}: string of one character per log line, the stream that wrote it;
 *   <li>{@code job:<id>:input}: string of the bytes the job's first step reads on its stdin, until that step
 *       succeeded;
 *   <li>{@code queue}: list of the ids of queued jobs, front first;
 *   <li>{@code instances}: set of the instances that may own jobs;
 *   <li>{@code instance:<id>}: an instance's heartbeat, which expires with its lease;
 *   <li>{@code instance:<id>:jobs}: list of the jobs that instance claimed;
 *   <li>{@code expiries}: sorted set of the ended jobs that are to be deleted, scored by when (ms since the epoch);
 *   <li>{@code callbacks}: sorted set of the ended jobs whose callback is to be delivered, scored by when it is due, or
 *       while an instance tries it, by when its claim ends (ms since the epoch);
 *   <li>{@code events} and {@code log}: Pub/Sub channels, of every job's and step's state changes (JSON), and of the
 *       ids of jobs whose log grew;
 *   <li>{@code events:history}: stream of the last {@link io.dray.core.JobFeed#HISTORY} or so events, each under
 *       {@code event} (JSON), whose entry ids are the events' ids: what a client that reconnects missed.
 * </ul>
 * A job's keys live until the job is deleted; an instance's, until it retires or another instance finds it dead.
 * Scripts get every key they touch from here, as KEYS; none builds a key of its own.
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

    String logStreams(String id) {
        return prefix + "job:" + id + ":log:streams";
    }

    String input(String id) {
        return prefix + "job:" + id + ":input";
    }

    String callbacks() {
        return prefix + "callbacks";
    }

    String expiries() {
        return prefix + "expiries";
    }

    String eventsChannel() {
        return prefix + "events";
    }

    String eventHistory() {
        return prefix + "events:history";
    }

    String logChannel() {
        return prefix + "log";
    }

    String queue() {
        return prefix + "queue";
    }

    String instances() {
        return prefix + "instances";
    }

    String heartbeat(String instance) {
        return prefix + "instance:" + instance;
    }

    String claimed(String instance) {
        return prefix + "instance:" + instance + ":jobs";
    }
}
