package io.dray.core;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where a job's end is told: Dray POSTs the job's status to {@code url}, signed with {@code secret} (HMAC-SHA256 of
 * the body) unless it is null. The secret is masked wherever Dray shows the job, and encrypted in the store.
 */
public record Callback(URI url, String secret) {

    public Callback {
        requireNonNull(url, "url");
    }

    @Override
    public String toString() {
        return "Callback[url=" + url + ", secret=" + (secret == null ? "none" : EnvVar.MASK) + "]";
    }
}
