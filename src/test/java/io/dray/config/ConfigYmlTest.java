package io.dray.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dray.DrayConfiguration;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped config.yml, read as Dray reads it, with and without the environment variables it documents. */
class ConfigYmlTest {
    private static DrayConfiguration load(Map<String, String> environment) throws Exception {
        var factory = new YamlConfigurationFactory<>(DrayConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw");
        return factory.build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                new EnvironmentLookup(environment).substitutor()), "config.yml");
    }

    /** As {@link #load}, through the factory Dray uses; the error it throws, if any. */
    private static ConfigurationException loadError(Map<String, String> environment) throws Exception {
        EnvironmentLookup lookup = new EnvironmentLookup(environment);
        ConfigurationFactory<DrayConfiguration> factory = SecretSafeConfigurationFactory.<DrayConfiguration>factories(lookup)
                .create(DrayConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");
        try {
            factory.build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), lookup.substitutor()),
                    "config.yml");
            return null;
        } catch (ConfigurationException e) {
            return e;
        }
    }

    private static String printed(Throwable error) {
        java.io.StringWriter out = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static int port(java.util.List<io.dropwizard.jetty.ConnectorFactory> connectors) {
        return ((HttpConnectorFactory) connectors.get(0)).getPort();
    }

    @Test
    void defaultsServeTheOriginalsPortAndUseLocalRedisAndDocker() throws Exception {
        DrayConfiguration config = load(Map.of());
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        assertThat(port(server.getApplicationConnectors())).isEqualTo(3000);
        assertThat(port(server.getAdminConnectors())).isEqualTo(8081);
        assertThat(config.getRedis().getUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(config.getRedis().getCaFile()).isEmpty();
        assertThat(config.getDocker().getHost()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(config.getDocker().getConfig()).as("Docker's usual ~/.docker").isEmpty();
        assertThat(config.getDocker().getRegistries()).isEmpty();
        assertThat(config.getEngine().getWorkers()).isEqualTo(4);
        assertThat(((DefaultLoggingFactory) config.getLoggingFactory()).getLevel()).isEqualTo("INFO");
        assertThat(config.getSecurity().apiTokenHashes()).isEmpty();
        assertThat(config.getSecurity().hasSecretKey()).isFalse();
        assertThat(config.getSecurity().imageAllowList().permits("any/image")).isTrue();
    }

    /** A query string may hold an API token ({@code ?access_token=}): the request log prints the path only. */
    @Test
    void theRequestLogPrintsNoQueryString() throws Exception {
        DefaultServerFactory server = (DefaultServerFactory) load(Map.of()).getServerFactory();
        assertThat(((LogbackAccessRequestLogFactory) server.getRequestLogFactory()).getAppenders()).singleElement().satisfies(appender ->
                assertThat(((ConsoleAppenderFactory<?>) appender).getLogFormat())
                        .contains("%U").doesNotContain("%r", "%q", "%requestURL", "%queryString"));
    }

    /**
     * Dropwizard prints a configuration error with its stack trace, and its YAML errors quote the substituted text: a
     * value from the environment that breaks the YAML must not be printed, not even in part.
     */
    @Test
    void anErrorInTheConfigurationShowsNoSecretFromTheEnvironment() throws Exception {
        ConfigurationException yaml = loadError(Map.of("REDIS_URL", "redis://:pass: w0rd-of-redis@127.0.0.1:6379",
                "DRAY_WEBHOOK_SECRET", "hook-secret-value"));
        assertThat(yaml).isNotNull();
        assertThat(printed(yaml)).contains("config.yml has an error", "at line: 24, column: ",
                        "mapping values are not allowed here", "the text around it is not shown")
                .doesNotContain("w0rd", "pass:", "hook-secret", "Caused by");

        ConfigurationException cut = loadError(Map.of("DRAY_API_TOKENS", "tok#en-one, token-two: x"));
        assertThat(printed(cut)).contains("config.yml has an error").doesNotContain("tok", "en-one", "token-two");

        ConfigurationException type = loadError(Map.of("DRAY_WORKERS", "many", "DRAY_SECRET_KEY", "[key-material"));
        assertThat(printed(type)).contains("config.yml has an error").doesNotContain("key-material");
        ConfigurationException harmless = loadError(Map.of("DRAY_WORKERS", "many"));
        assertThat(printed(harmless)).as("the field stays named").contains("engine.workers", "expected: int");
    }

    @Test
    void everyDocumentedVariableIsHonoured() throws Exception {
        DrayConfiguration config = load(Map.ofEntries(
                Map.entry("DRAY_PORT", "4000"), Map.entry("DRAY_ADMIN_PORT", "4001"),
                Map.entry("REDIS_PORT", "tcp://10.1.2.3:6380"), Map.entry("DOCKER_HOST", "tcp://127.0.0.1:2375"),
                Map.entry("DOCKER_CONFIG", "/etc/dray/docker"),
                Map.entry("DRAY_WORKERS", "9"), Map.entry("DRAY_MAX_QUEUED_JOBS", "7"),
                Map.entry("DRAY_DATA_DIR", "/var/tmp/dray-data"), Map.entry("LOG_LEVEL", "panic"),
                Map.entry("DRAY_API_TOKENS", "a, b"),
                Map.entry("DRAY_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32])),
                Map.entry("DRAY_ALLOWED_IMAGES", "dray-example/*")));
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        assertThat(port(server.getApplicationConnectors())).isEqualTo(4000);
        assertThat(port(server.getAdminConnectors())).isEqualTo(4001);
        assertThat(config.getRedis().getUrl()).isEqualTo("redis://10.1.2.3:6380");
        assertThat(config.getDocker().getHost()).isEqualTo("tcp://127.0.0.1:2375");
        assertThat(config.getDocker().getConfig()).isEqualTo("/etc/dray/docker");
        assertThat(config.getEngine().getWorkers()).isEqualTo(9);
        assertThat(config.getEngine().getMaxQueuedJobs()).isEqualTo(7);
        assertThat(config.getEngine().getDataDirectory()).isEqualTo("/var/tmp/dray-data");
        assertThat(((DefaultLoggingFactory) config.getLoggingFactory()).getLevel()).isEqualTo("ERROR");
        assertThat(config.getSecurity().apiTokenHashes()).hasSize(2);
        assertThat(config.getSecurity().secretKeyBytes()).hasSize(32);
        assertThat(config.getSecurity().imageAllowList().permits("other/image")).isFalse();
    }

    @Test
    void aRedisUrlWithAPasswordOverTlsAndItsCaFileAreTakenAsTheyAre() throws Exception {
        String url = "rediss://dray:p%40ss%3Aw%2Frd@cache.example:6380/2";
        DrayConfiguration config = load(Map.of("REDIS_URL", url, "REDIS_PORT", "tcp://10.1.2.3:6380",
                "REDIS_CA_FILE", "/etc/dray/redis-ca.pem"));
        assertThat(config.getRedis().getUrl()).isEqualTo(url);
        assertThat(config.getRedis().getCaFile()).isEqualTo("/etc/dray/redis-ca.pem");
        assertThat(config.getRedis().maskedUrl()).isEqualTo("rediss://dray:****@cache.example:6380/2");
    }
}
