package io.dray.metrics;

import com.codahale.metrics.MetricRegistry;
import io.dray.core.JobObserver;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.function.DoubleSupplier;

/**
 * Dray's metrics for Prometheus, served on the admin port at {@code /prometheus} (the text format, or OpenMetrics or
 * Prometheus's protobuf format when the scraper's {@code Accept} asks): Dray's own under {@code dray_}, the JVM's, and
 * every Dropwizard metric (Jetty's, Jersey's timers) through the official Dropwizard bridge, in a registry of their own.
 */
public final class PrometheusMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final JobCounters jobs;
    private final HttpRequestMetrics requests;

    /** @param dropwizard the registry behind the admin port's {@code /metrics}, bridged but for its JVM metrics */
    public PrometheusMetrics(MetricRegistry dropwizard) {
        JvmMetrics.builder().register(registry);
        DropwizardExports.builder()
                .dropwizardRegistry(dropwizard)
                .metricFilter((name, metric) -> bridged(name))
                .register(registry);
        jobs = new JobCounters(registry);
        requests = new HttpRequestMetrics(registry);
    }

    /**
     * Whether a Dropwizard metric is bridged. Not the JVM's: they come from the Prometheus client, named as Prometheus
     * dashboards expect, and Dropwizard's would be a second copy. Not Jersey's {@code <method>.total} timers: Prometheus
     * drops a {@code _total} suffix, so they would take the name of the {@code @Timed} timer of the same method, and a
     * scrape with a name twice fails whole.
     */
    private static boolean bridged(String name) {
        return !name.startsWith("jvm.") && !name.endsWith(".total");
    }

    /** Told of every job change this instance writes: see {@link io.dray.core.Stores#observedBy}. */
    public JobObserver jobs() {
        return jobs;
    }

    /**
     * @param queueDepth the jobs waiting for a worker, in the shared queue
     * @param running the jobs running on this instance
     */
    public void engineGauges(DoubleSupplier queueDepth, DoubleSupplier running) {
        GaugeWithCallback.builder()
                .name("dray_queue_depth")
                .help("Jobs waiting in the queue for a worker of any instance")
                .callback(callback -> callback.call(queueDepth.getAsDouble()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("dray_jobs_running")
                .help("Jobs running on this instance")
                .callback(callback -> callback.call(running.getAsDouble()))
                .register(registry);
    }

    /** The filter that counts the API's requests; it goes first, before any filter that answers. */
    public Filter requestCounter() {
        return requests;
    }

    public HttpServlet servlet() {
        return new PrometheusMetricsServlet(registry);
    }
}
