package io.dray.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookup;

/**
 * Resolves {@code ${VAR:-default}} in config.yml from the environment, reading two variables the way the original
 * Dray did:
 * <ul>
 *   <li>{@code LOG_LEVEL}: the original's {@code panic}, {@code fatal}, {@code error}, {@code warn}, {@code info},
 *       {@code debug}, in any case; an unknown value counts as unset (and {@link #invalidLogLevel} says so);
 *   <li>{@code REDIS_URL}: when unset, taken from {@code REDIS_PORT=tcp://host:port}, which a Docker link to a
 *       container aliased {@code redis} sets.
 * </ul>
 */
public final class EnvironmentLookup implements StringLookup {
    private static final Map<String, String> LOG_LEVELS = Map.of(
            "panic", "ERROR", "fatal", "ERROR", "error", "ERROR", "warn", "WARN", "warning", "WARN",
            "info", "INFO", "debug", "DEBUG", "trace", "TRACE");

    private final Map<String, String> environment;

    public EnvironmentLookup(Map<String, String> environment) {
        this.environment = environment;
    }

    /** A substitutor like Dropwizard's {@code EnvironmentVariableSubstitutor(false)}, with this lookup. */
    public StringSubstitutor substitutor() {
        StringSubstitutor substitutor = new StringSubstitutor(this);
        substitutor.setEscapeChar('$');
        return substitutor;
    }

    @Override
    public String lookup(String key) {
        return switch (key) {
            case "LOG_LEVEL" -> logLevel().orElse(null);
            case "REDIS_URL" -> nonEmpty("REDIS_URL").or(this::redisUrlFromLink).orElse(null);
            default -> environment.get(key);
        };
    }

    private Optional<String> logLevel() {
        return nonEmpty("LOG_LEVEL").map(v -> LOG_LEVELS.get(v.trim().toLowerCase(Locale.ROOT)));
    }

    /** The value of LOG_LEVEL if it is set but means nothing, for a warning at start-up. */
    public Optional<String> invalidLogLevel() {
        return nonEmpty("LOG_LEVEL").filter(v -> logLevel().isEmpty());
    }

    private Optional<String> redisUrlFromLink() {
        return nonEmpty("REDIS_PORT").flatMap(value -> {
            try {
                URI link = URI.create(value.trim());
                if ("tcp".equals(link.getScheme()) && link.getHost() != null && link.getPort() > 0) {
                    return Optional.of("redis://" + link.getHost() + ":" + link.getPort());
                }
            } catch (IllegalArgumentException e) {
                // Not a link address: ignored, as the original did.
            }
            return Optional.empty();
        });
    }

    private Optional<String> nonEmpty(String name) {
        return Optional.ofNullable(environment.get(name)).filter(v -> !v.isBlank());
    }
}
