package io.dray.docker;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pings the engine on a thread of its own and waits for the answer no longer than a bound: docker-java's timeouts do
 * not apply on a {@code unix://} socket (its socket ignores SO_TIMEOUT), so an engine that stalls would otherwise hang
 * the check, and with it {@code /healthcheck} and {@code GET /health}, for as long as the stall lasts. At most one
 * ping is in flight: checks made while it hangs wait on that one rather than pile up threads.
 */
public final class DockerHealthCheck extends HealthCheck {
    private final DockerEngine docker;
    private final ExecutorService pings;
    private final Duration timeout;
    private Future<?> ping;

    /** @param pings one thread, for the pings */
    public DockerHealthCheck(DockerEngine docker, ExecutorService pings, Duration timeout) {
        this.docker = docker;
        this.pings = pings;
        this.timeout = timeout;
    }

    @Override
    protected Result check() throws Exception {
        Future<?> answer;
        synchronized (this) {
            if (ping == null || ping.isDone()) {
                ping = pings.submit(docker::ping);
            }
            answer = ping;
        }
        try {
            answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Result.healthy();
        } catch (TimeoutException e) {
            return Result.unhealthy("the Docker engine did not answer a ping within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
