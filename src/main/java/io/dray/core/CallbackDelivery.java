package io.dray.core;

import java.time.Instant;

/**
 * One claimed attempt to deliver a job's callback: the job (its callback, its secret decrypted) and its final state.
 *
 * @param deliveryId the same for every attempt of the delivery, so that a receiver can tell a repeat
 * @param attempt this attempt's number, from 1
 * @param dueSince when the delivery first was due (the job's end): past {@code maxAge} Dray gives up
 * @param leaseUntil the claim's lease, which also tells this claim from a later one
 */
public record CallbackDelivery(String jobId, String deliveryId, int attempt, Instant dueSince, Instant leaseUntil,
        Job job, JobState state) {}
