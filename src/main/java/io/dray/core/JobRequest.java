package io.dray.core;

import java.time.Duration;
import java.util.List;

/** A job as it is asked for, before Dray gives it an id: see {@link Job}. */
public record JobRequest(String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl,
        Callback callback) {

    public JobRequest(String name, List<EnvVar> environment, List<Step> steps, Duration timeout, Duration ttl) {
        this(name, environment, steps, timeout, ttl, null);
    }
}
