package io.dray.api;

import java.util.List;

/** {@code GET /jobs/{id}/log}. */
public record LogRepresentation(List<String> lines) {}
