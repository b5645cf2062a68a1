package io.dray.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    /**
     * The variables of the shipped config.yml whose values are not secret: an error may show them. Any other variable's
     * value (REDIS_URL's password, tokens, keys, and whatever a config of one's own substitutes) may be a secret.
     */
    private static final Set<String> NOT_SECRET = Set.of("DRAY_PORT", "DRAY_ADMIN_PORT", "LOG_LEVEL", "REDIS_CA_FILE",
            "REDIS_SENTINELS", "REDIS_MASTER_NAME", "DOCKER_HOST", "DRAY_ALLOWED_NETWORK_MODES", "DOCKER_CONFIG",
            "DRAY_WORKERS", "DRAY_MAX_QUEUED_JOBS", "DRAY_DATA_DIR", "DRAY_KEY_TTL", "DRAY_WEBHOOK_ALLOWED_HOSTS",
            "DRAY_API_TOKENS_FILE", "DRAY_ALLOWED_IMAGES");
    private static final Map<String, String> LOG_LEVELS = Map.of(
            "panic", "ERROR", "fatal", "ERROR", "error", "ERROR", "warn", "WARN", "warning", "WARN",
            "info", "INFO", "debug", "DEBUG", "trace", "TRACE");

    private final Map<String, String> environment;
    private final Set<String> substitutedSecrets = ConcurrentHashMap.newKeySet();

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
        String value = switch (key) {
            case "LOG_LEVEL" -> logLevel().orElse(null);
            case "REDIS_URL" -> nonEmpty("REDIS_URL").or(this::redisUrlFromLink).orElse(null);
            default -> environment.get(key);
        };
        if (value != null && !NOT_SECRET.contains(key)) {
            substitutedSecrets.add(value);
        }
        return value;
    }

    /** The values substituted so far that may be secrets: what an error about the configuration must not show. */
    public Set<String> substitutedSecrets() {
        return Set.copyOf(substitutedSecrets);
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
