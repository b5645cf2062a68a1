package io.dray.docker;

import com.codahale.metrics.health.HealthCheck;

public final class DockerHealthCheck extends HealthCheck {
    private final DockerEngine docker;

    public DockerHealthCheck(DockerEngine docker) {
        this.docker = docker;
    }

    @Override
    protected Result check() {
        docker.ping();
        return Result.healthy();
    }
}
