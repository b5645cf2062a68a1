package io.dray.api;

/** One entry of {@code GET /jobs}. */
public record JobIdRepresentation(String id) {}
