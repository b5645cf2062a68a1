package io.dray.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The deliveries of jobs' callbacks, kept with the jobs in the store every instance shares. A job with a callback is
 * due once it ends (the save of its final state makes it due, in the same write, so that no end goes untold); any
 * instance may claim a due delivery for a while (a lease), and whoever holds the lease records how the attempt went.
 * A claim that is never recorded (its instance died) ends with its lease: the delivery is due again, for anyone.
 */
public interface CallbackStore {

    /** Up to {@code max} jobs whose delivery is due by {@code now}, those due first. */
    List<String> due(Instant now, int max);

    /**
     * Claims the job's delivery until {@code leaseUntil}, if it is still due by {@code now}, and counts the attempt;
     * empty if it is not (another instance claimed it, or it was delivered), or if the job is gone (then it is no
     * longer due).
     *
     * @param newDeliveryId the delivery's id, kept if this is its first attempt
     */
    Optional<CallbackDelivery> claim(String jobId, Instant now, Instant leaseUntil, String newDeliveryId);

    /** The attempt was answered 2xx; false if the lease no longer held (another instance claimed it since). */
    boolean delivered(CallbackDelivery delivery);

    /** The attempt failed: due again at {@code retryAt}; false if the lease no longer held. */
    boolean failed(CallbackDelivery delivery, String error, Instant retryAt);

    /** The attempt failed and no other will be made; false if the lease no longer held. */
    boolean gaveUp(CallbackDelivery delivery, String error);
}
