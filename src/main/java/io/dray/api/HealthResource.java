package io.dray.api;

import com.codahale.metrics.annotation.Timed;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * {@code GET /health}: the admin port's health checks (Redis, Docker, the engine) summarised on the API port, for the
 * dashboard, so that the admin port can stay private. It needs a token like every API route.
 */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
@Tag(name = "health")
@SecurityRequirement(name = OpenApiDocument.TOKEN)
@ApiResponse(responseCode = "401", description = "API tokens are configured, and the request has none or a wrong one",
        content = @Content(schema = @Schema(implementation = ApiShapes.Error.class)))
public final class HealthResource {
    private final HealthCheckRegistry checks;

    public HealthResource(HealthCheckRegistry checks) {
        this.checks = checks;
    }

    /** Whether every check is healthy, and each check's result. Always 200: unhealthy is an answer, not an error. */
    @GET
    @Timed
    @Operation(summary = "Health", description = "The admin port's health checks (redis, docker, engine...), each"
            + " with its message, and whether all are healthy. Always 200: unhealthy is an answer, not an error.",
            responses = @ApiResponse(responseCode = "200", description = "The checks",
                    content = @Content(schema = @Schema(implementation = HealthRepresentation.class))))
    public HealthRepresentation health() {
        SortedMap<String, HealthCheck.Result> results = checks.runHealthChecks();
        Map<String, HealthRepresentation.Check> byName = new LinkedHashMap<>();
        results.forEach((name, result) -> byName.put(name, new HealthRepresentation.Check(result.isHealthy(),
                result.getMessage() != null ? result.getMessage()
                        : result.getError() != null ? result.getError().getMessage() : null)));
        return new HealthRepresentation(results.values().stream().allMatch(HealthCheck.Result::isHealthy), byName);
    }
}
