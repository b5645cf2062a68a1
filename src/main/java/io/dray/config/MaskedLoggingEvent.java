package io.dray.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.dray.core.LoggedSecrets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A log event with every secret value {@link LoggedSecrets} holds masked in all the text an encoder may print: the
 * message, its arguments, the MDC, key-value pairs and the exception chain's messages. Masked when it is made, on the
 * logging thread, because an asynchronous appender writes it later, when a job's secrets may no longer be held.
 */
final class MaskedLoggingEvent implements ILoggingEvent {
    private final ILoggingEvent event;
    private final String message;
    private final String formattedMessage;
    private final Object[] arguments;
    private final Map<String, String> mdc;
    private final List<KeyValuePair> keyValuePairs;
    private final IThrowableProxy throwable;

    private MaskedLoggingEvent(ILoggingEvent event) {
        this.event = event;
        this.message = LoggedSecrets.mask(event.getMessage());
        this.formattedMessage = LoggedSecrets.mask(event.getFormattedMessage());
        Object[] given = event.getArgumentArray();
        this.arguments = given == null ? null
                : Arrays.stream(given).map(a -> a == null ? null : (Object) LoggedSecrets.mask(String.valueOf(a))).toArray();
        Map<String, String> masked = new LinkedHashMap<>();
        event.getMDCPropertyMap().forEach((key, value) -> masked.put(key, LoggedSecrets.mask(value)));
        this.mdc = masked;
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        this.keyValuePairs = pairs == null ? null : pairs.stream()
                .map(p -> new KeyValuePair(p.key, p.value == null ? null : LoggedSecrets.mask(String.valueOf(p.value))))
                .toList();
        this.throwable = MaskedThrowable.of(event.getThrowableProxy());
    }

    /** The event itself when no held secret shows in it (the common case costs no copy), else a masked copy. */
    static ILoggingEvent of(ILoggingEvent event) {
        return showsSecret(event) ? new MaskedLoggingEvent(event) : event;
    }

    private static boolean showsSecret(ILoggingEvent event) {
        if (changed(event.getFormattedMessage()) || changed(event.getMessage())) {
            return true;
        }
        if (event.getArgumentArray() != null) {
            for (Object argument : event.getArgumentArray()) {
                if (argument != null && changed(String.valueOf(argument))) {
                    return true;
                }
            }
        }
        for (String value : event.getMDCPropertyMap().values()) {
            if (changed(value)) {
                return true;
            }
        }
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                if (pair.value != null && changed(String.valueOf(pair.value))) {
                    return true;
                }
            }
        }
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            if (changed(t.getMessage()) || changed(t.getOverridingMessage())) {
                return true;
            }
            if (t.getSuppressed() != null && t.getSuppressed().length > 0) {
                return true; // rare: masked copies without looking further
            }
            if (t.isCyclic()) {
                break;
            }
        }
        return false;
    }

    private static boolean changed(String text) {
        return text != null && LoggedSecrets.mask(text) != text;
    }

    @Override
    public String getThreadName() {
        return event.getThreadName();
    }

    @Override
    public Level getLevel() {
        return event.getLevel();
    }

    @Override
    public String getMessage() {
        return message;
    }

    @Override
    public Object[] getArgumentArray() {
        return arguments;
    }

    @Override
    public String getFormattedMessage() {
        return formattedMessage;
    }

    @Override
    public String getLoggerName() {
        return event.getLoggerName();
    }

    @Override
    public LoggerContextVO getLoggerContextVO() {
        return event.getLoggerContextVO();
    }

    @Override
    public IThrowableProxy getThrowableProxy() {
        return throwable;
    }

    @Override
    public StackTraceElement[] getCallerData() {
        return event.getCallerData();
    }

    @Override
    public boolean hasCallerData() {
        return event.hasCallerData();
    }

    @Override
    public List<Marker> getMarkerList() {
        return event.getMarkerList();
    }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        return mdc;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<String, String> getMdc() {
        return mdc;
    }

    @Override
    public long getTimeStamp() {
        return event.getTimeStamp();
    }

    @Override
    public int getNanoseconds() {
        return event.getNanoseconds();
    }

    @Override
    public Instant getInstant() {
        return event.getInstant();
    }

    @Override
    public long getSequenceNumber() {
        return event.getSequenceNumber();
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        return keyValuePairs;
    }

    @Override
    public void prepareForDeferredProcessing() {
        event.prepareForDeferredProcessing();
    }

    /** An exception as an encoder prints it, its messages and those of its causes and suppressed ones masked. */
    private record MaskedThrowable(IThrowableProxy proxy, String message, String overridingMessage,
            IThrowableProxy cause, IThrowableProxy[] suppressed) implements IThrowableProxy {

        static IThrowableProxy of(IThrowableProxy proxy) {
            if (proxy == null) {
                return null;
            }
            IThrowableProxy cause = of(proxy.getCause()); // logback ends a cyclic chain with a proxy that has none
            IThrowableProxy[] suppressed = proxy.getSuppressed() == null ? null
                    : Arrays.stream(proxy.getSuppressed()).map(MaskedThrowable::of).toArray(IThrowableProxy[]::new);
            return new MaskedThrowable(proxy, LoggedSecrets.mask(proxy.getMessage()),
                    LoggedSecrets.mask(proxy.getOverridingMessage()), cause, suppressed);
        }

        @Override
        public String getMessage() {
            return message;
        }

        @Override
        public String getOverridingMessage() {
            return overridingMessage;
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return cause;
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            return suppressed;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
