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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With Redis stopped for real, the API answers 503 with a message, creates nothing, and recovers without a restart. */
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
                ConfigOverride.config("redis.connectTimeout", "500ms"));
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

        redis.stop();
        for (Response response : new Response[] {post(job), get("/jobs"), get("/jobs/" + id), get("/jobs/" + id + "/log")}) {
            assertThat(response.getStatus()).isEqualTo(503);
            JsonNode error = JSON.readTree(response.readEntity(String.class));
            assertThat(error.get("code").asInt()).isEqualTo(503);
            assertThat(error.get("message").asText()).startsWith("job store unavailable: Redis is unavailable");
        }
        assertThat(redisHealthy()).isFalse();

        // Redis comes back empty (no persistence in this test): the refused job was never half-created anywhere.
        redis.start();
        await().atMost(Duration.ofSeconds(30)).until(this::redisHealthy);
        assertThat(JSON.readTree(get("/jobs").readEntity(String.class))).isEmpty();
        assertThat(post(job).getStatus()).isEqualTo(201);
    }
}
