package io.dray.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import io.dray.core.LoggedSecrets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The masking layer, on logback itself: what an encoder prints of an event shows no held secret. */
class SecretSafeLoggingTest {

    @Test
    void everyPartOfAnEventAnEncoderPrintsIsMasked() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger logger = context.getLogger("io.dray.test.masking-" + System.nanoTime());
        logger.setAdditive(false);
        logger.setLevel(Level.TRACE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %msg mdc=%X{job} kv=%kvp%n%ex");
        encoder.start();
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        logger.addAppender(appender);

        SecretSafeLogging.apply();
        String secret = "hunter2-" + System.nanoTime();
        try (LoggedSecrets.Hold held = LoggedSecrets.hold(List.of(secret))) {
            MDC.put("job", "job-" + secret);
            try {
                logger.atDebug().addKeyValue("password", secret)
                        .setCause(new IllegalStateException("outer " + secret, new RuntimeException("cause " + secret)))
                        .log("Env [API_KEY={}]", secret);
            } finally {
                MDC.remove("job");
            }
            logger.trace("nothing to hide");
        }
        appender.stop();

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain(secret)
                .contains("DEBUG Env [API_KEY=****]", "mdc=job-****", "password=\"****\"",
                        "IllegalStateException: outer ****", "RuntimeException: cause ****", "TRACE nothing to hide");
    }

    @Test
    void librariesThatPrintSecretsStayAtInfoUnlessNamedOnPurpose() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger jetty = context.getLogger("org.eclipse.jetty");
        ch.qos.logback.classic.Logger dockerJava = context.getLogger("com.github.dockerjava");
        Level jettyBefore = jetty.getLevel();
        Level dockerJavaBefore = dockerJava.getLevel();
        try {
            jetty.setLevel(null);
            dockerJava.setLevel(Level.DEBUG); // as config.yml's logging.loggers sets a level it names
            SecretSafeLogging.apply();
            assertThat(jetty.getLevel()).isEqualTo(Level.INFO);
            assertThat(dockerJava.getLevel()).isEqualTo(Level.DEBUG);
        } finally {
            jetty.setLevel(jettyBefore);
            dockerJava.setLevel(dockerJavaBefore);
        }
    }
}
