package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.DrayClient;
import io.dray.support.SecondDockerEngine;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker engine stopped for real while a step runs, then started again: the job fails with a message, Dray keeps
 * serving, its Docker health check goes red then green, and the step's container is still removed in the end.
 */
class DockerOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecondDockerEngine ENGINE = new SecondDockerEngine();
    private static DropwizardAppExtension<DrayConfiguration> app;

    @BeforeAll
    static void startEngineAndDray() throws Exception {
        TestDocker.buildImages();
        ENGINE.start();
        ENGINE.load(TestDocker.SH);
        app = new DropwizardAppExtension<>(DrayApplication.class, resourceFilePath("test-config.yml"),
                ConfigOverride.config("redis.keyPrefix", "dray-test-" + UUID.randomUUID() + ":"),
                ConfigOverride.config("docker.host", ENGINE.host()));
        app.before();
    }

    @AfterAll
    static void stopAll() throws Exception {
        app.after();
        ENGINE.close();
    }

    private boolean dockerHealthy() throws Exception {
        var response = app.client().target("http://localhost:" + app.getAdminPort() + "/healthcheck").request().get();
        return JSON.readTree(response.readEntity(String.class)).get("docker").get("healthy").asBoolean();
    }

    @Test
    void aStepWhoseEngineStopsFailsAndDrayRecoversWhenTheEngineIsBack() throws Exception {
        DrayClient client = new DrayClient("http://localhost:" + app.getLocalPort());
        String id = client.submit(DrayClient.scriptJob("echo started; sleep 60", "echo never"));
        client.awaitLogLine(id, "started");

        ENGINE.stop();
        try {
            JsonNode end = client.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(end.get("status").asText()).isEqualTo("error");
            assertThat(end.get("error").asText()).startsWith("step 1 (" + TestDocker.SH + ") could not run: Docker failed");
            assertThat(client.log(id)).containsExactly("started");
            assertThat(dockerHealthy()).isFalse();
            assertThat(client.get("/jobs").statusCode()).isEqualTo(200);
        } finally {
            ENGINE.start();
        }
        await().atMost(Duration.ofSeconds(60)).until(this::dockerHealthy);
        await().atMost(Duration.ofSeconds(60)).until(() -> ENGINE.containersOfJob(id).isEmpty());
        String after = client.submit(DrayClient.scriptJob("echo back"));
        assertThat(client.awaitFinished(after, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("complete");
        assertThat(client.log(after)).containsExactly("back");
    }
}
