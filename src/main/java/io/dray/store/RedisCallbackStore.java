package io.dray.store;

import io.dray.core.CallbackDelivery;
import io.dray.core.CallbackStatus;
import io.dray.core.CallbackStore;
import io.dray.core.JobState;
import io.dray.core.StoreDataException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Callback deliveries in Redis: a sorted set of the jobs whose delivery is due, scored by when (ms); a claimed one is
 * scored by the end of its claim's lease, which is also what fences the claim's record. The delivery's state lives in
 * the job's hash ({@link JobHash}).
 */
final class RedisCallbackStore implements CallbackStore {
    private final UnifiedJedis redis;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final JobHash hashes;

    RedisCallbackStore(UnifiedJedis redis, RedisKeys keys, RedisScripts scripts, JobHash hashes) {
        this.redis = redis;
        this.keys = keys;
        this.scripts = scripts;
        this.hashes = hashes;
    }

    @Override
    public List<String> due(Instant now, int max) {
        return RedisCalls.call(() -> redis.zrangeByScore(keys.callbacks(), 0, now.toEpochMilli(), 0, max));
    }

    @Override
    public Optional<CallbackDelivery> claim(String jobId, Instant now, Instant leaseUntil, String newDeliveryId) {
        Object reply = scripts.run("claim_callback", List.of(keys.callbacks(), keys.job(jobId)),
                List.of(jobId, Long.toString(now.toEpochMilli()), Long.toString(leaseUntil.toEpochMilli()), newDeliveryId));
        if (!(reply instanceof List<?> fields)) {
            return Optional.empty();
        }
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            hash.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
        }
        String deliveryId = hash.get("callbackDelivery");
        int attempt = Integer.parseInt(hash.get(JobHash.CALLBACK_ATTEMPTS));
        Instant dueSince = Instant.ofEpochMilli(Long.parseLong(hash.get("callbackDueSince")));
        try {
            // Only the callback's secret is decrypted: a job's secret variables are not needed to tell its end.
            return Optional.of(new CallbackDelivery(jobId, deliveryId, attempt, dueSince, leaseUntil,
                    hashes.callback(jobId, hash), hashes.state(jobId, hash), null));
        } catch (StoreDataException e) {
            // Another instance (with the right secret key) may read it: a failed attempt, tried again like any other.
            return Optional.of(new CallbackDelivery(jobId, deliveryId, attempt, dueSince, leaseUntil, null, null,
                    e.getMessage()));
        }
    }

    @Override
    public boolean delivered(CallbackDelivery delivery) {
        return record(delivery.jobId(), delivery.leaseUntil(), CallbackStatus.State.DELIVERED, null, null);
    }

    @Override
    public boolean failed(CallbackDelivery delivery, String error, Instant retryAt) {
        return record(delivery.jobId(), delivery.leaseUntil(), CallbackStatus.State.PENDING, error, retryAt);
    }

    @Override
    public boolean gaveUp(CallbackDelivery delivery, String error) {
        return record(delivery.jobId(), delivery.leaseUntil(), CallbackStatus.State.FAILED, error, null);
    }

    private boolean record(String jobId, Instant leaseUntil, CallbackStatus.State state, String error, Instant retryAt) {
        return Long.valueOf(1).equals(scripts.run("record_callback", List.of(keys.callbacks(), keys.job(jobId)),
                List.of(jobId, Long.toString(leaseUntil.toEpochMilli()), state.value(), error == null ? "" : error,
                        retryAt == null ? "" : Long.toString(retryAt.toEpochMilli()))));
    }
}
