package io.dray.docker;

import java.time.Duration;

/** What every step container gets unless its step says otherwise; nulls mean Docker's own defaults. */
record ContainerDefaults(String networkMode, Long memoryBytes, Double cpus, Duration stopGrace) {}
