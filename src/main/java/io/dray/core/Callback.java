package io.dray.core;

import java.net.URI;
import java.util.List;

/**
 * Where a job's end is told: Dray POSTs the job's status to {@code url}, signed with {@code secret} (HMAC-SHA256 of
 * the body) unless it is null. A null {@code url} means the callback configured for jobs that set none, taken from
 * the configuration when the end is told, so that neither its URL nor its secret is stored with each job. The secret is
 * masked wherever Dray shows the job, and encrypted in the store.
 */
public record Callback(URI url, String secret) {

    /** The configured callback of jobs that set none. */
    public static Callback configuredDefault() {
        return new Callback(null, null);
    }

    /** The secret, if there is one, to be masked wherever output shows it. */
    public List<String> secretValues() {
        return secret == null || secret.isEmpty() ? List.of() : List.of(secret);
    }

    public boolean isConfiguredDefault() {
        return url == null;
    }

    @Override
    public String toString() {
        return isConfiguredDefault() ? "Callback[the configured default]"
                : "Callback[url=" + url + ", secret=" + (secret == null ? "none" : EnvVar.MASK) + "]";
    }
}
