package io.dray.config;

import ch.qos.logback.classic.Level;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The libraries whose DEBUG output shows secrets, kept at INFO whatever {@code LOG_LEVEL} or config.yml asks: Jetty
 * prints each request's headers ({@code Authorization: Bearer <token>}) and the bytes it reads; docker-java prints each
 * command with its fields (a container's environment, secret variables included; a pull's registry login); and
 * httpclient5, docker-java's transport, prints each request's headers ({@code X-Registry-Auth}) and every byte sent.
 * Dray's own DEBUG output shows no secret.
 */
public final class SecretSafeLogging {
    static final List<String> LOGGERS = List.of("org.eclipse.jetty", "com.github.dockerjava", "org.apache.hc.client5");

    private SecretSafeLogging() {}

    /** Call once logging is configured (Dropwizard configures it before {@code run}). */
    public static void apply() {
        for (String name : LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger
                    && (logger.getLevel() == null || !logger.getLevel().isGreaterOrEqual(Level.INFO))) {
                logger.setLevel(Level.INFO);
            }
        }
    }
}
