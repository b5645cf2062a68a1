package io.dray.store;

import io.dray.core.Claim;
import io.dray.core.JobStatus;
import io.dray.core.LogFilter;
import io.dray.core.LogLine;
import io.dray.core.LogPage;
import io.dray.core.LogStore;
import io.dray.core.LogStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Jobs' logs in Redis: per job a list of lines and a string of one stream character per line, appended together by
 * the owner in batches; each append is announced on the log channel, for followers.
 */
public final class RedisLogStore implements LogStore {
    private final RedisKeys keys;
    private final RedisScripts scripts;

    RedisLogStore(RedisKeys keys, RedisScripts scripts) {
        this.keys = keys;
        this.scripts = scripts;
    }

    @Override
    public boolean append(Claim claim, List<String> lines, String streams) {
        if (lines.isEmpty()) {
            return true;
        }
        String id = claim.jobId();
        List<String> args = new ArrayList<>(lines.size() + 4);
        args.add(claim.instance());
        args.add(Long.toString(claim.epoch()));
        args.add(id);
        args.add(streams);
        args.addAll(lines);
        return Long.valueOf(1).equals(scripts.run("append_log",
                List.of(keys.job(id), keys.log(id), keys.logStreams(id), keys.logChannel()), args));
    }

    @Override
    public Optional<LogPage> read(String id, long fromIndex, int maxLines, LogFilter filter) {
        Object reply = scripts.run("read_log", List.of(keys.job(id), keys.log(id), keys.logStreams(id)),
                List.of(Long.toString(fromIndex), Integer.toString(maxLines), Integer.toString(PAGE_BYTES),
                        filter.step() == null ? "" : Integer.toString(filter.step())));
        if (!(reply instanceof List<?> page)) {
            return Optional.empty();
        }
        long first = (Long) page.get(1);
        long next = (Long) page.get(2);
        String streams = (String) page.get(5);
        List<?> texts = (List<?>) page.get(6);
        List<LogLine> lines = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            LogLine line = new LogLine(first + i, i < streams.length() ? LogStream.ofCode(streams.charAt(i)) : null,
                    (String) texts.get(i));
            if (filter.keeps(line)) {
                lines.add(line);
            }
        }
        return Optional.of(new LogPage(lines, next, Long.valueOf(1).equals(page.get(3)),
                JobStatus.of((String) page.get(0)), (Long) page.get(4)));
    }
}
