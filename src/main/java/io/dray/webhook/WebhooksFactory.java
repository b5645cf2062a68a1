package io.dray.webhook;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.core.Callback;
import io.dray.core.CallbackDeliveries;
import io.dray.core.CallbackStore;
import io.dray.core.CallbackTargets;
import io.dray.core.JobState;
import io.dray.core.LoggedSecrets;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.setup.LifecycleEnvironment;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Where and how jobs' ends are told: {@code webhooks:} in config.yml. The text settings come from environment variables
 * that may be unset, which YAML reads as null: null means empty.
 */
public class WebhooksFactory {
    /** The callback of every job that sets none (env DRAY_WEBHOOK_URL); empty for none. */
    private String defaultUrl = "";

    /** The secret that signs the default callback's requests (env DRAY_WEBHOOK_SECRET); empty: unsigned. */
    private String defaultSecret = "";

    /**
     * Comma-separated host names, addresses and CIDR ranges a job's callback may go to (env
     * DRAY_WEBHOOK_ALLOWED_HOSTS); empty: any host with public addresses only.
     */
    private String allowedHosts = "";

    @Min(1)
    @Max(1000)
    private int maxAttempts = 10;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration maxAge = Duration.hours(24);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration firstRetryDelay = Duration.seconds(1);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration maxRetryDelay = Duration.minutes(1);

    /** How long one attempt may take, connecting included. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration timeout = Duration.seconds(10);

    /** Attempts in flight at once on one instance. */
    @Min(1)
    @Max(256)
    private int senders = 4;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration pollInterval = Duration.milliseconds(250);

    /** The default callback, null if none is configured. */
    public Callback defaultCallback() {
        if (defaultUrl.isBlank()) {
            return null;
        }
        try {
            return new Callback(new URI(defaultUrl.trim()), defaultSecret.isEmpty() ? null : defaultSecret);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("webhooks.defaultUrl is not a URL", e);
        }
    }

    @JsonIgnore
    @ValidationMethod(message = "webhooks.defaultUrl must be an http:// or https:// URL with a host")
    public boolean isDefaultUrlValid() {
        if (defaultUrl.isBlank()) {
            return true;
        }
        try {
            URI url = new URI(defaultUrl.trim());
            return url.getHost() != null && ("http".equals(url.getScheme()) || "https".equals(url.getScheme()));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    @JsonIgnore
    @ValidationMethod(message = "webhooks.allowedHosts must be host names, addresses or CIDR ranges, comma-separated")
    public boolean isAllowedHostsValid() {
        try {
            targets();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public CallbackTargets targets() {
        return CallbackTargets.of(allowedHosts);
    }

    /**
     * Delivers jobs' callbacks from this instance, on a poller thread and a pool of {@code senders}, both its own and
     * stopped with Dropwizard's lifecycle; counted in the meters {@code callbacks.delivered} and
     * {@code callbacks.failed}.
     *
     * @param bodyOf a job's status as the API answers it
     */
    public CallbackDeliveries startDeliveries(Environment environment, CallbackStore store,
            Function<JobState, byte[]> bodyOf, Clock clock) {
        LifecycleEnvironment lifecycle = environment.lifecycle();
        LoggedSecrets.hold(List.of(defaultSecret)); // for the process's life
        CallbackDeliveries deliveries = new CallbackDeliveries(store, new HttpCallbackSender(timeout.toJavaDuration()),
                targets(), defaultCallback(), bodyOf, clock,
                new CallbackDeliveries.Settings(maxAttempts, maxAge.toJavaDuration(), firstRetryDelay.toJavaDuration(),
                        maxRetryDelay.toJavaDuration(), timeout.toJavaDuration(), pollInterval.toJavaDuration(),
                        senders),
                lifecycle.scheduledExecutorService("callback-poller").threads(1).build(),
                // The poller hands out no more than there are free senders: the queue never fills.
                lifecycle.executorService("callback-sender-%d").minThreads(senders).maxThreads(senders)
                        .workQueue(new ArrayBlockingQueue<>(senders)).build(),
                environment.metrics().meter("callbacks.delivered"), environment.metrics().meter("callbacks.failed"));
        lifecycle.manage(deliveries);
        return deliveries;
    }

    @JsonProperty
    public String getDefaultUrl() {
        return defaultUrl;
    }

    @JsonProperty
    public void setDefaultUrl(String defaultUrl) {
        this.defaultUrl = defaultUrl == null ? "" : defaultUrl;
    }

    @JsonProperty
    public String getDefaultSecret() {
        return defaultSecret;
    }

    @JsonProperty
    public void setDefaultSecret(String defaultSecret) {
        this.defaultSecret = defaultSecret == null ? "" : defaultSecret;
    }

    @JsonProperty
    public String getAllowedHosts() {
        return allowedHosts;
    }

    @JsonProperty
    public void setAllowedHosts(String allowedHosts) {
        this.allowedHosts = allowedHosts == null ? "" : allowedHosts;
    }

    @JsonProperty
    public int getMaxAttempts() {
        return maxAttempts;
    }

    @JsonProperty
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    @JsonProperty
    public Duration getMaxAge() {
        return maxAge;
    }

    @JsonProperty
    public void setMaxAge(Duration maxAge) {
        this.maxAge = maxAge;
    }

    @JsonProperty
    public Duration getFirstRetryDelay() {
        return firstRetryDelay;
    }

    @JsonProperty
    public void setFirstRetryDelay(Duration firstRetryDelay) {
        this.firstRetryDelay = firstRetryDelay;
    }

    @JsonProperty
    public Duration getMaxRetryDelay() {
        return maxRetryDelay;
    }

    @JsonProperty
    public void setMaxRetryDelay(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    @JsonProperty
    public Duration getTimeout() {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @JsonProperty
    public int getSenders() {
        return senders;
    }

    @JsonProperty
    public void setSenders(int senders) {
        this.senders = senders;
    }

    @JsonProperty
    public Duration getPollInterval() {
        return pollInterval;
    }

    @JsonProperty
    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }
}
