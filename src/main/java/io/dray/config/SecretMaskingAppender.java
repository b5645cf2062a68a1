package io.dray.config;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/** Hands each event to the appender it wraps with every held secret masked ({@link MaskedLoggingEvent}). */
final class SecretMaskingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private final Appender<ILoggingEvent> appender;

    SecretMaskingAppender(Appender<ILoggingEvent> appender) {
        this.appender = appender;
        setName(appender.getName());
        setContext(appender.getContext());
    }

    @Override
    protected void append(ILoggingEvent event) {
        appender.doAppend(MaskedLoggingEvent.of(event));
    }

    @Override
    public void stop() {
        super.stop();
        appender.stop();
    }
}
