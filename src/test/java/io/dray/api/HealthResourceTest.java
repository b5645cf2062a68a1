package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HealthResourceTest {
    private final HealthCheckRegistry checks = new HealthCheckRegistry();
    private final HealthResource resource = new HealthResource(checks);

    @Test
    void healthyWhenEveryCheckIs() throws Exception {
        checks.register("redis", check(HealthCheck.Result.healthy()));
        checks.register("docker", check(HealthCheck.Result.healthy("engine 20.10")));
        assertThat(new ObjectMapper().writeValueAsString(resource.health())).isEqualTo(
                "{\"healthy\":true,\"checks\":{\"docker\":{\"healthy\":true,\"message\":\"engine 20.10\"},"
                        + "\"redis\":{\"healthy\":true}}}");
    }

    @Test
    void anUnhealthyCheckSaysWhy() {
        checks.register("redis", check(HealthCheck.Result.healthy()));
        checks.register("docker", new HealthCheck() {
            @Override
            protected Result check() {
                throw new IllegalStateException("Cannot connect to the Docker daemon");
            }
        });
        HealthRepresentation health = resource.health();
        assertThat(health.healthy()).isFalse();
        assertThat(health.checks().get("docker")).isEqualTo(
                new HealthRepresentation.Check(false, "Cannot connect to the Docker daemon"));
        assertThat(health.checks().get("redis").healthy()).isTrue();
    }

    private static HealthCheck check(HealthCheck.Result result) {
        return new HealthCheck() {
            @Override
            protected Result check() {
                return result;
            }
        };
    }
}
