package io.dray.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps secrets out of the log at every level, in two layers.
 * <ol>
 *   <li>The libraries whose DEBUG output shows secrets stay at INFO whatever {@code LOG_LEVEL} says, unless
 *       config.yml's {@code logging.loggers} names them on purpose: Jetty prints each request's headers
 *       ({@code Authorization: Bearer <token>}) and the bytes it reads; docker-java prints each command with its
 *       fields (a container's environment, secret variables included); httpclient5, docker-java's transport, prints
 *       each request's headers ({@code X-Registry-Auth}) and every byte sent.</li>
 *   <li>Every appender masks the secret values the process holds ({@link io.dray.core.LoggedSecrets}) in every event,
 *       from Dray or from a library, named on purpose or not.</li>
 * </ol>
 */
public final class SecretSafeLogging {
    static final List<String> LOGGERS = List.of("org.eclipse.jetty", "com.github.dockerjava", "org.apache.hc.client5");

    private SecretSafeLogging() {}

    /** Call once logging is configured (Dropwizard configures it before {@code run}). */
    public static void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (String name : LOGGERS) {
            Logger logger = context.getLogger(name);
            if (logger.getLevel() == null) { // inherited from the root's level: not named on purpose
                logger.setLevel(Level.INFO);
            }
        }
        for (Logger logger : context.getLoggerList()) {
            List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
                appenders.add(it.next());
            }
            for (Appender<ILoggingEvent> appender : appenders) {
                if (!(appender instanceof SecretMaskingAppender)) {
                    SecretMaskingAppender masking = new SecretMaskingAppender(appender);
                    masking.start();
                    logger.addAppender(masking);
                    logger.detachAppender(appender);
                }
            }
        }
    }
}
