package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** {@code {"healthy": true, "checks": {"redis": {"healthy": true}, "docker": {"healthy": false, "message": "..."}}}} */
public record HealthRepresentation(boolean healthy, Map<String, Check> checks) {
    /** @param message why it is unhealthy, or what a healthy check reports; left out when there is none */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Check(boolean healthy, String message) {}
}
