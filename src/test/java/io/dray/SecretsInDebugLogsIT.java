package io.dray;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code LOG_LEVEL=debug} turns on every library's debug logging (Jetty, Jersey, docker-java, httpclient5, Jedis):
 * none of it may show an API token, a secret variable or a callback's secret, whatever Dray does with them.
 */
class SecretsInDebugLogsIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @Test
    void noSecretReachesTheDebugLog() throws Exception {
        String log = runJobWithSecrets("", Map.of("LOG_LEVEL", "debug"));
        assertThat(log).as("the debug log was written").contains("DEBUG [");
        assertThat(log).as("libraries not named on purpose stay at INFO")
                .doesNotContainPattern("DEBUG \\[[^\\]]*\\] com\\.github\\.dockerjava");
    }

    /**
     * At TRACE, with the libraries that print requests and containers' environments named on purpose, their output
     * is written and every secret in it masked.
     */
    @Test
    void secretsAreMaskedInTheTraceLogOfLibrariesNamedOnPurpose() throws Exception {
        String log = runJobWithSecrets("""
                logging:
                  level: ${LOG_LEVEL:-INFO}
                  loggers:
                    com.github.dockerjava: DEBUG
                    org.apache.hc.client5: DEBUG
                    org.eclipse.jetty.server: DEBUG
                """, Map.of("LOG_LEVEL", "trace"));
        assertThat(log).as("docker-java's debug output was written").containsPattern(
                "DEBUG \\[[^\\]]*\\] com\\.github\\.dockerjava");
        assertThat(log).as("the container's environment shows the secret variable masked").contains("API_KEY=****");
    }

    /** Runs a job with a secret variable and a failing signed callback, with this logging; answers the log. */
    private static String runJobWithSecrets(String logging, Map<String, String> environment) throws Exception {
        String token = "token-" + UUID.randomUUID();
        String variable = "variable-" + UUID.randomUUID();
        String callbackSecret = "callback-" + UUID.randomUUID();
        String secretKey = Base64.getEncoder().encodeToString(
                java.util.Arrays.copyOf(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), 32));
        String config = logging + """
                security:
                  apiTokens: "%s"
                  secretKey: "%s"
                webhooks:
                  allowedHosts: "127.0.0.1"
                  firstRetryDelay: 100ms
                  maxAttempts: 2
                """.formatted(token, secretKey);
        try (DrayProcess dray = DrayProcess.start(REDIS, "dray-test-" + UUID.randomUUID() + ":",
                "unix:///var/run/docker.sock", Map.of("workers", "1"), config, List.of(), "", environment)) {
            DrayClient client = new DrayClient(dray.url(""), token);
            String job = JSON.writeValueAsString(Map.of(
                    "callback", Map.of("url", "http://127.0.0.1:9/nobody-listens", "secret", callbackSecret),
                    "environment", List.of(Map.of("variable", "API_KEY", "value", variable, "secret", true)),
                    "steps", List.of(Map.of("source", TestDocker.SH, "environment",
                            List.of(Map.of("variable", "SCRIPT", "value", "echo \"length ${#API_KEY}\""))))));
            HttpResponse<String> submitted = client.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            String id = JSON.readTree(submitted.body()).get("id").asText();
            client.awaitFinished(id, Duration.ofSeconds(60));
            assertThat(client.log(id)).containsExactly("length " + variable.length());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> client.status(id).get("callback").get("state").asText().equals("failed"));

            String log = dray.log();
            assertThat(log).doesNotContain(token).doesNotContain(variable).doesNotContain(callbackSecret)
                    .doesNotContain(secretKey);
            return log;
        }
    }
}
