package io.dray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;

/**
 * Retention on real Redis with two Dray processes: an ended job past its retention is deleted with its log and
 * records, once, by one of them, and leaves every list; a job's own {@code ttl} wins over the engine's.
 */
class RetentionIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    private static long expiredBy(DrayProcess process) throws Exception {
        JsonNode metrics = JSON.readTree(new DrayClient(process.adminUrl("")).get("/metrics").body());
        return metrics.get("meters").get("jobs.expired").get("count").asLong();
    }

    @Test
    void endedJobsPastTheirRetentionAreDeletedOnceWithEverythingTheyKept() throws Exception {
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        Map<String, String> engine = Map.of("retention", "3s", "workers", "2");
        try (DrayProcess first = DrayProcess.start(REDIS, prefix, engine);
                DrayProcess second = DrayProcess.start(REDIS, prefix, engine);
                RedisClient redis = RedisClient.create(java.net.URI.create(REDIS))) {
            DrayClient client = new DrayClient(first.url(""));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(client.submit(DrayClient.scriptJob("echo " + i)));
            }
            client.awaitFinished(ids.get(0), Duration.ofSeconds(60));
            assertThat(client.get("/jobs/" + ids.get(0)).statusCode()).as("kept until its retention ran out").isEqualTo(200);
            String keptLonger = client.submit("{\"ttl\": \"1h\", \"steps\": [{\"source\": \"" + TestDocker.SH
                    + "\", \"environment\": [{\"variable\": \"SCRIPT\", \"value\": \"echo kept\"}]}]}");
            client.awaitFinished(keptLonger, Duration.ofSeconds(60));
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/jobs/" + id).statusCode() == 404);
                assertThat(client.get("/jobs/" + id + "/log").statusCode()).isEqualTo(404);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> expiredBy(first) + expiredBy(second) == 10);
            assertThat(client.status(keptLonger).get("status").asText()).as("its own ttl is an hour").isEqualTo("complete");
            JsonNode list = JSON.readTree(client.get("/jobs").body());
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("id").asText()).isEqualTo(keptLonger);
            List<String> keys = redis.scan(ScanParams.SCAN_POINTER_START,
                    new ScanParams().match(prefix + "*").count(100_000)).getResult();
            for (String id : ids) {
                assertThat(keys).noneMatch(key -> key.contains(id));
            }
            assertThat(redis.zrange(prefix + "expiries", 0, -1)).containsExactly(keptLonger);
            TestDocker.awaitNoContainersOf(ids);
        }
    }
}
