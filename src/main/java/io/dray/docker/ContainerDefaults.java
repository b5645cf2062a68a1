package io.dray.docker;

import com.github.dockerjava.api.model.Capability;
import java.time.Duration;
import java.util.List;

/**
 * What every step container gets unless its step says otherwise (nulls mean Docker's own defaults), and the hardening
 * no step can change: the capabilities it keeps and its process limit.
 */
record ContainerDefaults(
        String networkMode, Long memoryBytes, Double cpus, Duration stopGrace, List<Capability> capabilities, long pidsLimit) {}
