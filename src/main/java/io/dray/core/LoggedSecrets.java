package io.dray.core;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The secret values this process holds (API tokens, passwords, the secret key, and the secret variables and callback
 * secrets of the jobs it runs), which no log event may show, whichever library writes it and at whatever level. The
 * logging pipeline masks them ({@code io.dray.config.SecretSafeLogging}); the code that holds a secret says so here
 * for as long as it holds it. Global, as logging is: a library logs through a static logger, not through anything
 * Dray could hand it.
 */
public final class LoggedSecrets {
    /** How many holders hold each value: a value two jobs share stays masked until both ended. */
    private static final Map<String, Integer> HELD = new HashMap<>();
    /** The held values, longest first (so that a value that contains another is masked whole), read without a lock. */
    private static volatile String[] values = new String[0];

    private LoggedSecrets() {}

    /** A hold on some values: they are masked until it is closed. */
    public static final class Hold implements AutoCloseable {
        private final Collection<String> values;
        private boolean closed;

        private Hold(Collection<String> values) {
            this.values = values;
        }

        @Override
        public void close() {
            synchronized (HELD) {
                if (closed) {
                    return;
                }
                closed = true;
                for (String value : values) {
                    HELD.computeIfPresent(value, (v, count) -> count == 1 ? null : count - 1);
                }
                publish();
            }
        }
    }

    /**
     * Values shorter than this are not masked in the log: a secret variable {@code 1} or {@code yes} would blank
     * every such text of every line while its job runs (a job's output masks every secret value, whatever its length).
     */
    static final int MIN_LENGTH = 4;

    /** Masks these values from now until the hold is closed; values shorter than {@link #MIN_LENGTH} are ignored. */
    public static Hold hold(Collection<String> secrets) {
        Collection<String> kept = secrets.stream().filter(s -> s != null && s.length() >= MIN_LENGTH).distinct()
                .toList();
        synchronized (HELD) {
            for (String value : kept) {
                HELD.merge(value, 1, Integer::sum);
            }
            publish();
        }
        return new Hold(kept);
    }

    private static void publish() {
        values = HELD.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toArray(String[]::new);
    }

    /** The text with every held value replaced by {@link EnvVar#MASK}; the same instance if it shows none. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String value : values) {
            if (masked.contains(value)) {
                masked = masked.replace(value, EnvVar.MASK);
            }
        }
        return masked;
    }
}
