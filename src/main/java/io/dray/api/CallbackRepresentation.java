package io.dray.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.Callback;
import io.dray.core.EnvVar;
import jakarta.validation.constraints.NotBlank;

/** A job's {@code callback}: {@code {"url": "...", "secret": "..."}}; the secret is masked whenever the API answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallbackRepresentation(@NotBlank String url, String secret) {

    /** The job's own callback; null for none, and for the configured one (its URL is the configuration's to show). */
    static CallbackRepresentation of(Callback callback) {
        return callback == null || callback.isConfiguredDefault() ? null
                : new CallbackRepresentation(callback.url().toString(), callback.secret());
    }

    CallbackRepresentation masked() {
        return new CallbackRepresentation(url, secret == null ? null : EnvVar.MASK);
    }

    @Override
    public String toString() {
        return masked().url() + (secret == null ? "" : " (signed)");
    }
}
