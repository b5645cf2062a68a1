package io.dray.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code docker:} section of config.yml as Dropwizard reads and validates it. */
class DockerFactoryTest {
    private static DockerFactory parse(String yaml) throws Exception {
        var factory = new YamlConfigurationFactory<>(DockerFactory.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw");
        return factory.build(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "docker.yml");
    }

    @Test
    void registryLoginsAreReadWithTheirPasswordOrPasswordFile() throws Exception {
        DockerFactory docker = parse("""
                config: /etc/dray/docker
                registries:
                  - {host: "127.0.0.1:5001", username: alice, password: "p w"}
                  - {host: docker.io, username: bob, passwordFile: /run/secrets/hub}
                """);
        assertThat(docker.getConfig()).isEqualTo("/etc/dray/docker");
        assertThat(docker.getRegistries()).extracting(RegistryLogin::getHost, RegistryLogin::getUsername,
                        RegistryLogin::getPassword, RegistryLogin::getPasswordFile)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:5001", "alice", "p w", ""),
                        org.assertj.core.groups.Tuple.tuple("docker.io", "bob", "", "/run/secrets/hub"));
    }

    @Test
    void aLoginWithBothOrNeitherPasswordIsRefusedAtStartUpWithoutShowingIt() {
        assertThatThrownBy(() -> parse("""
                registries:
                  - {host: a.example.com, username: alice, password: s3cr3t-both, passwordFile: /run/secrets/a}
                  - {host: b.example.com, username: bob}
                  - {host: c.example.com, password: s3cr3t-nouser}
                """))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("* each login in docker.registries needs a password or a passwordFile, and not both")
                .hasMessageContaining("registries[2].username must not be empty")
                .hasMessageNotContaining("s3cr3t");
    }
}
