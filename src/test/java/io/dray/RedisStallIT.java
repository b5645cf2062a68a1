package io.dray;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisServer;
import io.dray.support.TestDocker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis stalls (SIGSTOP) for longer than the lease under two instances running jobs, then goes on (SIGCONT): health
 * says so while it lasts, and every job ends complete with its whole output; a step may run again only as the README
 * says (leases expired during the stall).
 */
class RedisStallIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aRedisThatStallsLongerThanTheLeaseLosesNoJob() throws Exception {
        TestDocker.buildImages();
        try (RedisServer redis = new RedisServer()) {
            redis.start();
            String prefix = "dray-stall-" + UUID.randomUUID() + ":";
            Map<String, String> engine = Map.of("leaseTime", "2s", "workers", "2",
                    "dataDirectory", Files.createTempDirectory("dray-stall-").toString());
            try (DrayProcess first = DrayProcess.start(redis.url(), prefix, engine);
                    DrayProcess second = DrayProcess.start(redis.url(), prefix, engine)) {
                DrayClient client = new DrayClient(first.url(""));
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ids.add(client.submit(DrayClient.scriptJob("echo start " + i + "; sleep 6; echo end " + i)));
                }
                client.awaitLogLine(ids.get(0), "start 0");

                redis.pause();
                boolean unhealthySeen;
                try {
                    long until = System.nanoTime() + Duration.ofSeconds(8).toNanos(); // four leases
                    unhealthySeen = false;
                    while (System.nanoTime() < until) {
                        unhealthySeen |= healthStatus(first) != 200;
                        Thread.sleep(200);
                    }
                } finally {
                    redis.resume();
                }
                assertThat(unhealthySeen).as("health reports the stall while it lasts").isTrue();

                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    JsonNode end;
                    try {
                        end = awaitEnd(client, id);
                    } catch (ConditionTimeoutException e) {
                        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                            throw new AssertionError("job " + i + " did not end: " + client.status(id) + " "
                                    + jedis.hgetAll(prefix + "job:" + id), e);
                        }
                    }
                    assertThat(end.get("status").asText()).as("job %d: %s", i, end).isEqualTo("complete");
                    List<String> output = client.log(id).stream().filter(line -> !line.startsWith("[dray] ")).toList();
                    // A step run again after its lease expired in the stall writes its lines again (README).
                    assertThat(output.stream().distinct().toList()).as("job %d", i)
                            .containsExactly("start " + i, "end " + i);
                    assertThat(output).as("job %d", i).endsWith("end " + i);
                }
                TestDocker.awaitNoContainersOf(ids);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> healthStatus(first) == 200
                        && healthStatus(second) == 200);
            }
        }
    }

    private static JsonNode awaitEnd(DrayClient client, String id) {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> !client.status(id).get("status").asText().matches("queued|running"));
        try {
            return client.status(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int healthStatus(DrayProcess dray) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(dray.adminUrl("/healthcheck")))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1; // no answer within 2 s is no health either
        }
    }
}
