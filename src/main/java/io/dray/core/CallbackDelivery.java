package io.dray.core;

import java.time.Instant;

/**
 * One claimed attempt to deliver a job's callback: the job's callback (its secret decrypted) and final state, or why
 * this instance cannot read them (another secret key, a damaged record), which fails the attempt.
 *
 * @param deliveryId the same for every attempt of the delivery, so that a receiver can tell a repeat
 * @param attempt this attempt's number, from 1
 * @param dueSince when the delivery first was due (the job's end): past {@code maxAge} Dray gives up
 * @param leaseUntil the claim's lease, which also tells this claim from a later one
 * @param unreadable why the job cannot be read here; null when {@code callback} and {@code state} are given
 */
public record CallbackDelivery(String jobId, String deliveryId, int attempt, Instant dueSince, Instant leaseUntil,
        Callback callback, JobState state, String unreadable) {}
