package io.dray.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dray.DrayConfiguration;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jersey.validation.Validators;
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
        assertThat(config.getDocker().getHost()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(config.getEngine().getWorkers()).isEqualTo(4);
        assertThat(((DefaultLoggingFactory) config.getLoggingFactory()).getLevel()).isEqualTo("INFO");
    }

    @Test
    void everyDocumentedVariableIsHonoured() throws Exception {
        DrayConfiguration config = load(Map.of(
                "DRAY_PORT", "4000", "DRAY_ADMIN_PORT", "4001", "REDIS_PORT", "tcp://10.1.2.3:6380",
                "DOCKER_HOST", "tcp://127.0.0.1:2375", "DRAY_WORKERS", "9", "DRAY_MAX_QUEUED_JOBS", "7",
                "DRAY_DATA_DIR", "/var/tmp/dray-data", "LOG_LEVEL", "panic"));
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        assertThat(port(server.getApplicationConnectors())).isEqualTo(4000);
        assertThat(port(server.getAdminConnectors())).isEqualTo(4001);
        assertThat(config.getRedis().getUrl()).isEqualTo("redis://10.1.2.3:6380");
        assertThat(config.getDocker().getHost()).isEqualTo("tcp://127.0.0.1:2375");
        assertThat(config.getEngine().getWorkers()).isEqualTo(9);
        assertThat(config.getEngine().getMaxQueuedJobs()).isEqualTo(7);
        assertThat(config.getEngine().getDataDirectory()).isEqualTo("/var/tmp/dray-data");
        assertThat(((DefaultLoggingFactory) config.getLoggingFactory()).getLevel()).isEqualTo("ERROR");
    }
}
