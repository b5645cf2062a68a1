package io.dray.core;

import com.codahale.metrics.Meter;
import io.dropwizard.lifecycle.Managed;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells jobs' ends to their callbacks: POSTs the job's status, signed, at least once, from whichever instance claims
 * the delivery first, trying again with doubling waits until a 2xx answer, {@code maxAttempts} or {@code maxAge}. It
 * polls the store for due deliveries on its own thread and sends on a bounded pool of its own, so that a slow receiver
 * holds up neither jobs nor other receivers beyond that pool.
 */
public final class CallbackDeliveries implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDeliveries.class);
    /** A claim outlives its request by this much, so that a request that times out is recorded before it expires. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

    /**
     * @param maxAttempts attempts after which Dray gives up
     * @param maxAge how long after the job's end Dray still tries
     * @param firstRetryDelay the wait after the first failed attempt, doubled after each next one
     * @param maxRetryDelay the longest wait between attempts
     * @param requestTimeout how long one attempt may take
     * @param pollInterval how often the store is asked for due deliveries
     * @param senders attempts in flight at once, on this instance
     */
    public record Settings(int maxAttempts, Duration maxAge, Duration firstRetryDelay, Duration maxRetryDelay,
            Duration requestTimeout, Duration pollInterval, int senders) {}

    private final CallbackStore store;
    private final CallbackSender sender;
    private final CallbackTargets targets;
    private final Callback defaultCallback;
    private final Function<JobState, byte[]> bodyOf;
    private final Clock clock;
    private final Settings settings;
    private final ScheduledExecutorService poller;
    private final ExecutorService senders;
    private final Meter delivered;
    private final Meter failed;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;

    /**
     * @param defaultCallback the configured callback of jobs that set none (its URL is the operator's choice, and is
     *     not checked against {@code targets}); null for none
     * @param bodyOf the body of a job's callback: its status, as the API answers it
     */
    public CallbackDeliveries(CallbackStore store, CallbackSender sender, CallbackTargets targets,
            Callback defaultCallback, Function<JobState, byte[]> bodyOf, Clock clock, Settings settings,
            ScheduledExecutorService poller, ExecutorService senders, Meter delivered, Meter failed) {
        this.store = store;
        this.sender = sender;
        this.targets = targets;
        this.defaultCallback = defaultCallback;
        this.bodyOf = bodyOf;
        this.clock = clock;
        this.settings = settings;
        this.poller = poller;
        this.senders = senders;
        this.delivered = delivered;
        this.failed = failed;
    }

    @Override
    public void start() {
        poller.scheduleWithFixedDelay(this::poll, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Claims nothing more: a claim made while the senders shut down would count an attempt that is never made. What is
     * in flight may finish while the executors stop; a claim cut short is due again when its lease ends.
     */
    @Override
    public void stop() {
        stopped = true;
    }

    /** One round: claims due deliveries while senders are free, and hands each to one. Never throws. */
    void poll() {
        try {
            int free = settings.senders() - inFlight.get();
            if (free <= 0 || stopped) {
                return;
            }
            Instant now = clock.instant();
            for (String jobId : store.due(now, free)) {
                Instant leaseUntil = now.plus(settings.requestTimeout()).plus(LEASE_MARGIN);
                Optional<CallbackDelivery> claimed = store.claim(jobId, now, leaseUntil, UUID.randomUUID().toString());
                if (claimed.isEmpty()) {
                    continue;
                }
                inFlight.incrementAndGet();
                try {
                    senders.execute(() -> deliver(claimed.get()));
                } catch (RejectedExecutionException e) {
                    inFlight.decrementAndGet();
                    return; // shutting down: the claim ends with its lease
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.debug("callbacks wait for the store: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("cannot look for due callbacks", e);
        }
    }

    /** One attempt of a claimed delivery, and its record. */
    void deliver(CallbackDelivery delivery) {
        try {
            try {
                if (delivery.unreadable() != null) {
                    throw new CallbackSender.CallbackFailedException("cannot read the job here: " + delivery.unreadable());
                }
                Callback callback = delivery.callback();
                if (callback == null || callback.isConfiguredDefault()) {
                    if (defaultCallback == null) {
                        throw new CallbackSender.CallbackFailedException("no webhooks.defaultUrl is configured here");
                    }
                    callback = defaultCallback; // the operator's: not checked against the allowed hosts
                } else {
                    targets.check(callback.url()); // again: what the host resolves to may have changed
                }
                byte[] body = bodyOf.apply(delivery.state());
                try (LoggedSecrets.Hold held = LoggedSecrets.hold(callback.secretValues())) {
                    sender.post(callback.url(), headers(delivery, callback, body), body);
                }
            } catch (CallbackSender.CallbackFailedException | CallbackTargets.NotAllowedException e) {
                recordFailure(delivery, e.getMessage());
                return;
            }
            if (store.delivered(delivery)) {
                delivered.mark();
                LOG.info("job {}: callback delivered (attempt {})", delivery.jobId(), delivery.attempt());
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("job {}: the callback's attempt {} is not recorded, the store is unavailable: it will be made again",
                    delivery.jobId(), delivery.attempt());
        } catch (RuntimeException e) {
            LOG.error("job {}: callback attempt {} failed", delivery.jobId(), delivery.attempt(), e);
            try {
                recordFailure(delivery, "internal error: " + e);
            } catch (RuntimeException again) {
                LOG.debug("job {}: the failed attempt is not recorded: {}", delivery.jobId(), again.toString());
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void recordFailure(CallbackDelivery delivery, String error) {
        Instant now = clock.instant();
        Duration wait = Durations.backoff(settings.firstRetryDelay(), settings.maxRetryDelay(), delivery.attempt());
        // No attempt is made past maxAge: one that would wait beyond it is not made at all.
        boolean tooOld = now.plus(wait).isAfter(delivery.dueSince().plus(settings.maxAge()));
        if (delivery.attempt() >= settings.maxAttempts() || tooOld) {
            if (store.gaveUp(delivery, error)) {
                failed.mark();
                LOG.warn("job {}: callback failed for good after {} attempts: {}", delivery.jobId(), delivery.attempt(),
                        error);
            }
            return;
        }
        if (store.failed(delivery, error, now.plus(wait))) {
            LOG.info("job {}: callback attempt {} failed ({}); next in {}", delivery.jobId(), delivery.attempt(), error,
                    Durations.format(wait));
        }
    }

    private static Map<String, String> headers(CallbackDelivery delivery, Callback callback, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Dray-Event", "job." + delivery.state().status().value());
        headers.put("X-Dray-Delivery", delivery.deliveryId());
        if (callback.secret() != null && !callback.secret().isEmpty()) {
            headers.put("X-Dray-Signature", signature(callback.secret(), body));
        }
        return headers;
    }

    /** {@code sha256=} and the hex HMAC-SHA256 of the body, keyed with the secret, as GitHub signs its webhooks. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
