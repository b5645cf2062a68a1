package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.RedisServer;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.UUID;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped for real and started again: the API answers 503 with a message meanwhile and creates nothing; running
 * steps go on, their log lines wait in memory (up to a limit) and reach Redis once it is back; nothing restarts.
 */
class RedisOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisServer redis;
    private static DropwizardAppExtension<DrayConfiguration> app;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        redis = new RedisServer();
        redis.start();
        app = new DropwizardAppExtension<>(DrayApplication.class, resourceFilePath("test-config.yml"),
                ConfigOverride.config("redis.url", redis.url()),
                ConfigOverride.config("redis.connectTimeout", "500ms"),
                ConfigOverride.config("engine.maxBufferedLogLines", "1000"));
        app.before();
    }

    @AfterAll
    static void stop() throws Exception {
        app.after();
        redis.close();
    }

    private Response post(String body) {
        return app.client().target("http://localhost:" + app.getLocalPort() + "/jobs").request()
                .post(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    private Response get(String path) {
        return app.client().target("http://localhost:" + app.getLocalPort() + path).request().get();
    }

    private boolean redisHealthy() throws Exception {
        Response response = app.client().target("http://localhost:" + app.getAdminPort() + "/healthcheck").request().get();
        return JSON.readTree(response.readEntity(String.class)).get("redis").get("healthy").asBoolean();
    }

    @Test
    void theApiAnswers503WhileRedisIsDownAndRecoversWhenItIsBack() throws Exception {
        String job = "{\"steps\": [{\"source\": \"" + TestDocker.SH + "\", \"environment\": [{\"variable\": \"SCRIPT\", \"value\": \"echo hi\"}]}]}";
        Response created = post(job);
        assertThat(created.getStatus()).isEqualTo(201);
        String id = JSON.readTree(created.readEntity(String.class)).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                JSON.readTree(get("/jobs/" + id).readEntity(String.class)).get("status").asText().equals("complete"));

        JsonNode before = JSON.readTree(get("/jobs").readEntity(String.class));
        redis.stop();
        // Not the finished job's status: this instance may answer that from memory for a while.
        String unread = UUID.randomUUID().toString();
        for (Response response : new Response[] {post(job), get("/jobs"), get("/jobs/" + unread), get("/jobs/" + id + "/log")}) {
            assertThat(response.getStatus()).isEqualTo(503);
            JsonNode error = JSON.readTree(response.readEntity(String.class));
            assertThat(error.get("code").asInt()).isEqualTo(503);
            assertThat(error.get("message").asText()).startsWith("job store unavailable: Redis is unavailable");
        }
        assertThat(redisHealthy()).isFalse();

        redis.start();
        await().atMost(Duration.ofSeconds(30)).until(this::redisHealthy);
        assertThat(JSON.readTree(get("/jobs").readEntity(String.class)))
                .as("the job refused during the outage was never created").isEqualTo(before);
        assertThat(post(job).getStatus()).isEqualTo(201);
    }

    @Test
    void aStepRunningThroughAnOutageKeepsEveryLogLineInOrder() throws Exception {
        String job = scriptJob("i=0; while [ $i -lt 60 ]; do echo line-$i; i=$((i+1)); sleep 0.1; done");
        String id = JSON.readTree(post(job).readEntity(String.class)).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> logOf(id).contains("line-5"));
        redis.stop();
        Thread.sleep(2500);
        redis.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> statusOf(id).equals("complete"));
        List<String> expected = IntStream.range(0, 60).mapToObj(i -> "line-" + i).toList();
        assertThat(logOf(id)).isEqualTo(expected);
    }

    @Test
    void aJobWhoseLogOutgrowsTheBufferDuringAnOutageFailsWithAMessage() throws Exception {
        String job = scriptJob("echo started; sleep 2; i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done; sleep 30");
        String id = JSON.readTree(post(job).readEntity(String.class)).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> logOf(id).contains("started"));
        redis.stop();
        Thread.sleep(4000);
        redis.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !statusOf(id).equals("running"));
        JsonNode status = JSON.readTree(get("/jobs/" + id).readEntity(String.class));
        assertThat(status.get("status").asText()).isEqualTo("error");
        assertThat(status.get("error").asText())
                .isEqualTo("too many log lines waited for Redis while it was unavailable; the job was stopped");
        TestDocker.awaitNoContainersOf(id);
    }

    private static String scriptJob(String script) {
        return io.dray.support.DrayClient.scriptJob(script);
    }

    private String statusOf(String id) throws Exception {
        return JSON.readTree(get("/jobs/" + id).readEntity(String.class)).get("status").asText();
    }

    private List<String> logOf(String id) throws Exception {
        List<String> lines = new java.util.ArrayList<>();
        Response response = get("/jobs/" + id + "/log");
        if (response.getStatus() != 200) {
            return lines;
        }
        JSON.readTree(response.readEntity(String.class)).get("lines").forEach(l -> lines.add(l.asText()));
        return lines;
    }
}
