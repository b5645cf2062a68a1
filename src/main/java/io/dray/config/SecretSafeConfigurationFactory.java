package io.dray.config;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.ConfigurationFactoryFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Builds the configuration as Dropwizard's factory does, and fails without showing what the environment put in it.
 * Dropwizard's errors quote the configuration after its {@code ${VAR}}s were substituted: a REDIS_URL whose password
 * holds {@code ": "}, or a token cut by a {@code #}, would be printed with its YAML line to the terminal and the
 * container's log. Each error keeps its first line (what is wrong, and where: a line and column, or a field), with every
 * substituted value that may be a secret masked; YAML's quoted excerpt and the causes go, as they may show a value cut
 * where no mask would find it.
 */
public final class SecretSafeConfigurationFactory<T> implements ConfigurationFactory<T> {
    private final ConfigurationFactory<T> yaml;
    private final Supplier<Collection<String>> secrets;

    SecretSafeConfigurationFactory(ConfigurationFactory<T> yaml, Supplier<Collection<String>> secrets) {
        this.yaml = yaml;
        this.secrets = secrets;
    }

    /** Dropwizard's YAML factories, each wrapped: errors mask what {@code environment} substituted. */
    public static <T> ConfigurationFactoryFactory<T> factories(EnvironmentLookup environment) {
        return (type, validator, json, prefix) -> new SecretSafeConfigurationFactory<>(
                new DefaultConfigurationFactoryFactory<T>().create(type, validator, json, prefix),
                environment::substitutedSecrets);
    }

    @Override
    public T build(ConfigurationSourceProvider provider, String path) throws IOException, ConfigurationException {
        try {
            return yaml.build(provider, path);
        } catch (ConfigurationException e) {
            throw new MaskedConfigurationException(path, e.getErrors().stream().map(this::masked).toList());
        }
    }

    @Override
    public T build() throws IOException, ConfigurationException {
        return yaml.build();
    }

    private String masked(String error) {
        int lineEnd = error.indexOf('\n');
        String first = lineEnd < 0 ? error : error.substring(0, lineEnd);
        // The longest first, so that a value holding a shorter one is masked whole.
        for (String secret : secrets.get().stream().filter(s -> s.length() >= 4)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            first = first.replace(secret, "****");
        }
        return lineEnd < 0 ? first : first + " (the text around it is not shown: it may hold values of environment"
                + " variables)";
    }

    /** A configuration error whose message shows no secret, and that has no cause (whose message might). */
    static final class MaskedConfigurationException extends ConfigurationException {
        MaskedConfigurationException(String path, List<String> errors) {
            super(path, errors);
        }
    }
}
