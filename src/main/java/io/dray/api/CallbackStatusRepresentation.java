package io.dray.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dray.core.CallbackStatus;
import io.swagger.v3.oas.annotations.media.Schema;

/** How the delivery of a job's callback stands, in {@code GET /jobs/{id}}: see {@link CallbackStatus}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallbackStatusRepresentation(
        @Schema(allowableValues = {"waiting", "pending", "delivered", "failed"}) String state, int attempts, String lastError) {

    static CallbackStatusRepresentation of(CallbackStatus status) {
        return status == null ? null
                : new CallbackStatusRepresentation(status.state().value(), status.attempts(), status.lastError());
    }
}
