package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Meter;
import com.google.common.util.concurrent.MoreExecutors;
import io.dray.support.MutableClock;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivering jobs' callbacks, on the in-memory store with a receiver that answers as each test says. */
class CallbackDeliveriesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final URI HOOK = URI.create("http://127.0.0.1:9/hook");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryStores store = new InMemoryStores(clock);
    private final ScheduledExecutorService unusedPoller = Executors.newSingleThreadScheduledExecutor();
    private final Receiver receiver = new Receiver();
    private final Meter delivered = new Meter();
    private final Meter failed = new Meter();
    private CallbackTargets targets = new CallbackTargets("127.0.0.1", host -> new InetAddress[] {InetAddress.getByName(host)});

    @AfterEach
    void stop() {
        unusedPoller.shutdownNow();
    }

    /** Records each request; answers with the failures queued, then success. */
    private static final class Receiver implements CallbackSender {
        record Request(URI url, Map<String, String> headers, String body) {}

        final List<Request> requests = new ArrayList<>();
        final Deque<String> failures = new ArrayDeque<>();

        @Override
        public void post(URI url, Map<String, String> headers, byte[] body) throws CallbackFailedException {
            requests.add(new Request(url, headers, new String(body, StandardCharsets.UTF_8)));
            if (!failures.isEmpty()) {
                throw new CallbackFailedException(failures.poll());
            }
        }
    }

    private Callback defaultCallback;

    private CallbackDeliveries deliveries(int maxAttempts, Duration maxAge) {
        return new CallbackDeliveries(store, receiver, targets, defaultCallback,
                state -> ("{\"id\":\"" + state.id() + "\",\"status\":\"" + state.status().value() + "\"}")
                        .getBytes(StandardCharsets.UTF_8),
                clock, new CallbackDeliveries.Settings(maxAttempts, maxAge, Duration.ofSeconds(1), Duration.ofSeconds(3),
                        Duration.ofSeconds(10), Duration.ofMillis(100), 4),
                unusedPoller, MoreExecutors.newDirectExecutorService(), delivered, failed);
    }

    /** A job with a callback, ended: its delivery is due. */
    private Job endedJob(String secret) {
        return endedJob(new Callback(HOOK, secret));
    }

    private Job endedJob(Callback callback) {
        Job job = new Job("J" + System.nanoTime(), "hooked", List.of(),
                List.of(new Step(null, "img", List.of(), null, false, null, null)), null, null, null, callback);
        JobState queued = JobState.queued(job, T0);
        store.enqueue(job, queued, 100);
        JobState current = store.find(job.id()).orElseThrow();
        assertThat(current.callback().state()).isEqualTo(CallbackStatus.State.WAITING);
        store.save(current, current.cancelled("not needed", T0), null).orElseThrow();
        return job;
    }

    private CallbackStatus callbackOf(Job job) {
        return store.find(job.id()).orElseThrow().callback();
    }

    @Test
    void aJobsEndIsPostedOnceSignedWithItsSecretAndRecordedDelivered() {
        Job job = endedJob("s3cret");
        assertThat(callbackOf(job).state()).isEqualTo(CallbackStatus.State.PENDING);

        deliveries(5, Duration.ofHours(1)).poll();

        assertThat(receiver.requests).hasSize(1);
        Receiver.Request request = receiver.requests.get(0);
        assertThat(request.url()).isEqualTo(HOOK);
        assertThat(request.body()).isEqualTo("{\"id\":\"" + job.id() + "\",\"status\":\"cancelled\"}");
        assertThat(request.headers()).containsEntry("X-Dray-Event", "job.cancelled")
                .containsEntry("Content-Type", "application/json")
                .containsEntry("X-Dray-Signature", CallbackDeliveries.signature("s3cret",
                        request.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(request.headers().get("X-Dray-Delivery")).matches("[0-9a-f-]{36}");
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.DELIVERED, 1, null));
        assertThat(delivered.getCount()).isEqualTo(1);
        deliveries(5, Duration.ofHours(1)).poll();
        assertThat(receiver.requests).as("delivered once").hasSize(1);
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // Python: hmac.new(b"key", b"The quick brown fox jumps over the lazy dog", hashlib.sha256).hexdigest()
        assertThat(CallbackDeliveries.signature("key",
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }

    @Test
    void aReceiverThatFailsTwiceIsTriedAgainAfterDoublingWaitsWithTheSameDeliveryId() {
        Job job = endedJob((String) null);
        receiver.failures.addAll(List.of("answered 500", "answered 503"));
        CallbackDeliveries deliveries = deliveries(5, Duration.ofHours(1));

        deliveries.poll();
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.PENDING, 1, "answered 500"));
        clock.advance(Duration.ofMillis(999));
        deliveries.poll();
        assertThat(receiver.requests).as("the first retry waits a second").hasSize(1);
        clock.advance(Duration.ofMillis(1));
        deliveries.poll();
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.PENDING, 2, "answered 503"));
        clock.advance(Duration.ofMillis(1999));
        deliveries.poll();
        assertThat(receiver.requests).as("the second waits two").hasSize(2);
        clock.advance(Duration.ofMillis(1));
        deliveries.poll();

        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.DELIVERED, 3, null));
        assertThat(receiver.requests).extracting(r -> r.headers().get("X-Dray-Delivery")).hasSize(3).containsOnly(
                receiver.requests.get(0).headers().get("X-Dray-Delivery"));
        assertThat(receiver.requests.get(0).headers()).doesNotContainKey("X-Dray-Signature");
    }

    @Test
    void deliveryStopsAfterMaxAttempts() {
        Job job = endedJob((String) null);
        receiver.failures.addAll(List.of("answered 500", "answered 500", "answered 500", "answered 500"));
        CallbackDeliveries deliveries = deliveries(3, Duration.ofHours(1));
        for (int i = 0; i < 10; i++) {
            deliveries.poll();
            clock.advance(Duration.ofSeconds(3));
        }
        assertThat(receiver.requests).hasSize(3);
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.FAILED, 3, "answered 500"));
        assertThat(failed.getCount()).isEqualTo(1);
    }

    @Test
    void deliveryStopsPastMaxAge() {
        Job job = endedJob((String) null);
        receiver.failures.addAll(List.of("no answer", "no answer", "no answer"));
        CallbackDeliveries deliveries = deliveries(100, Duration.ofSeconds(2));
        deliveries.poll();
        clock.advance(Duration.ofSeconds(1));
        deliveries.poll();
        clock.advance(Duration.ofSeconds(2));
        deliveries.poll();
        assertThat(receiver.requests).hasSize(2);
        assertThat(callbackOf(job).state()).isEqualTo(CallbackStatus.State.FAILED);
    }

    @Test
    void aHostNoLongerAllowedAtDeliveryFailsTheAttemptWithoutARequest() {
        Job job = endedJob((String) null);
        targets = new CallbackTargets("", host -> new InetAddress[] {InetAddress.getByName(host)});
        deliveries(5, Duration.ofHours(1)).poll();
        assertThat(receiver.requests).isEmpty();
        assertThat(callbackOf(job).lastError()).contains("loopback, private or link-local");
    }

    @Test
    void aClaimWhoseLeaseEndedIsNotRecordedAndAnotherInstanceDelivers() {
        Job job = endedJob((String) null);
        Instant lease = T0.plusSeconds(15);
        CallbackDelivery first = store.claim(job.id(), T0, lease, "d1").orElseThrow();
        assertThat(store.due(T0.plusSeconds(1), 10)).as("claimed: not due").isEmpty();
        clock.advance(Duration.ofSeconds(16));
        deliveries(5, Duration.ofHours(1)).poll();
        assertThat(receiver.requests).hasSize(1);
        assertThat(receiver.requests.get(0).headers()).containsEntry("X-Dray-Delivery", "d1");
        assertThat(store.delivered(first)).as("the first claim's record comes too late").isFalse();
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.DELIVERED, 2, null));
    }

    @Test
    void aJobWithoutACallbackOfItsOwnIsToldToTheConfiguredOneAsItIsConfiguredWhenTheJobEnds() {
        defaultCallback = new Callback(URI.create("http://10.9.8.7/operators-hook"), "operator-secret");
        Job job = endedJob(Callback.configuredDefault());

        deliveries(5, Duration.ofHours(1)).poll();

        assertThat(receiver.requests).hasSize(1);
        Receiver.Request request = receiver.requests.get(0);
        assertThat(request.url()).as("the operator's URL, not checked against the allowed hosts")
                .isEqualTo(defaultCallback.url());
        assertThat(request.headers()).containsEntry("X-Dray-Signature",
                CallbackDeliveries.signature("operator-secret", request.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(callbackOf(job).state()).isEqualTo(CallbackStatus.State.DELIVERED);
    }

    @Test
    void aJobThisInstanceCannotReadFailsTheAttemptAndIsTriedAgain() {
        Job job = endedJob((String) null);
        CallbackDelivery unreadable = store.claim(job.id(), T0, T0.plusSeconds(15), "d").map(claim ->
                new CallbackDelivery(claim.jobId(), claim.deliveryId(), claim.attempt(), claim.dueSince(),
                        claim.leaseUntil(), null, null, "another secret key")).orElseThrow();

        deliveries(5, Duration.ofHours(1)).deliver(unreadable);

        assertThat(receiver.requests).isEmpty();
        assertThat(callbackOf(job)).isEqualTo(new CallbackStatus(CallbackStatus.State.PENDING, 1,
                "cannot read the job here: another secret key"));
        assertThat(store.due(T0.plusSeconds(1), 10)).containsExactly(job.id());
    }

    @Test
    void aDeletedJobsDeliveryIsDropped() {
        Job job = endedJob((String) null);
        store.delete(job.id());
        deliveries(5, Duration.ofHours(1)).poll();
        assertThat(receiver.requests).isEmpty();
        assertThat(store.due(T0.plusSeconds(60), 10)).isEmpty();
    }
}
