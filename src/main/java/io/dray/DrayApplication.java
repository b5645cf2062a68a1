package io.dray;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.dray.api.ApiTokenAuthenticator;
import io.dray.api.DashboardAssets;
import io.dray.api.DashboardRedirectFilter;
import io.dray.api.ErrorMappers;
import io.dray.api.HealthResource;
import io.dray.api.JobResource;
import io.dray.api.JobStatusFilter;
import io.dray.api.JobStatusRepresentation;
import io.dray.api.JsonErrorHandler;
import io.dray.api.LiveStreamFilter;
import io.dray.api.LiveStreams;
import io.dray.api.OpenApiDocument;
import io.dray.api.RequestLimits;
import io.dray.api.RequestSizeFilter;
import io.dray.api.UnannotatedJsonWrites;
import io.dray.api.UnreadBodyFilter;
import io.dray.api.VersionPrefixFilter;
import io.dray.config.EngineFactory;
import io.dray.config.EnvironmentLookup;
import io.dray.config.SecretSafeConfigurationFactory;
import io.dray.config.SecretSafeLogging;
import io.dray.config.SecurityFactory;
import io.dray.core.Callback;
import io.dray.core.JobEngine;
import io.dray.core.LoggedSecrets;
import io.dray.core.SpoolDirectory;
import io.dray.core.Stores;
import io.dray.docker.DockerEngine;
import io.dray.docker.DockerStepRunner;
import io.dray.metrics.PrometheusMetrics;
import io.dray.store.RedisFactory;
import io.dray.store.RedisHealthCheck;
import io.dray.store.RedisStores;
import io.dray.store.SecretCipher;
import io.dray.webhook.WebhooksFactory;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.forms.MultiPartBundle;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.util.component.LifeCycle;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

public class DrayApplication extends Application<DrayConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(DrayApplication.class);
    private final EnvironmentLookup environmentVariables = new EnvironmentLookup(System.getenv());

    public static void main(String[] args) throws Exception {
        new DrayApplication().run(args);
    }

    @Override
    public String getName() {
        return "dray";
    }

    @Override
    public void initialize(Bootstrap<DrayConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), environmentVariables.substitutor()));
        bootstrap.setConfigurationFactoryFactory(SecretSafeConfigurationFactory.factories(environmentVariables));
        bootstrap.addBundle(new MultiPartBundle());
        bootstrap.addBundle(new DashboardAssets());
    }

    @Override
    public void run(DrayConfiguration config, Environment environment) {
        SecretSafeLogging.apply();
        environmentVariables.invalidLogLevel().ifPresent(value ->
                LOG.warn("LOG_LEVEL={} is not one of panic, fatal, error, warn, info, debug; keeping the configured level", value));
        rejectScalarCoercion(environment.getObjectMapper());
        environment.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        // The particle-iot fork's README shows its example job with a comma after the last step: that job runs as shown.
        environment.getObjectMapper().enable(JsonReadFeature.ALLOW_TRAILING_COMMA.mappedFeature());

        UnifiedJedis redis = config.getRedis().build();
        environment.lifecycle().manage(RedisFactory.lifecycleOf(redis));
        SecurityFactory security = config.getSecurity();
        LoggedSecrets.hold(security.secretValues()); // for the process's life
        if (!security.hasSecretKey()) {
            LOG.warn("security.secretKey (DRAY_SECRET_KEY) is not set: secret variables and callbacks' secrets are"
                    + " encrypted with a key of this process only, so no other instance (nor this one once restarted)"
                    + " can resume a job that has secrets or sign its callback");
        }
        Clock clock = Clock.systemUTC();
        Stores stores = RedisStores.create(redis, config.getRedis().dedicatedConnections(redis),
                config.getRedis().getKeyPrefix(), environment.getObjectMapper(), new SecretCipher(security.secretKeyBytes()),
                clock, config.getEngine().retentionTime());
        if (stores.feed() instanceof Managed feed) {
            environment.lifecycle().manage(feed);
        }
        DockerEngine docker = config.getDocker().build();
        environment.lifecycle().manage(docker);

        EngineFactory engineConfig = config.getEngine();
        SpoolDirectory spools = engineConfig.spoolDirectory(engineConfig.dataDeletions(environment));
        DockerStepRunner runner = new DockerStepRunner(docker, spools, engineConfig.runnerExecutors(environment),
                config.getRedis().getKeyPrefix());
        // Managed after the executors it runs on, so that it stops (and hands its jobs back) before they do.
        PrometheusMetrics prometheus = new PrometheusMetrics(environment.metrics());
        JobEngine engine = new JobEngine(stores.observedBy(prometheus.jobs()), runner, spools, clock,
                engineConfig.settings(), security.imageAllowList(), environment.metrics(),
                engineConfig.engineExecutors(environment));
        environment.lifecycle().manage(engine);
        prometheus.engineGauges(engine::queueLength, engine::jobsRunningHere);
        environment.admin().addServlet("prometheus", prometheus.servlet()).addMapping("/prometheus");

        WebhooksFactory webhooks = config.getWebhooks();
        ObjectMapper json = environment.getObjectMapper();
        webhooks.startDeliveries(environment, stores.callbacks(), state -> JobStatusRepresentation.callbackBody(state, json),
                clock);

        environment.healthChecks().register("redis", new RedisHealthCheck(redis));
        environment.healthChecks().register("docker", config.getDocker().healthCheck(docker, environment));
        environment.healthChecks().register("engine", engine.healthCheck());

        Optional<ApiTokenAuthenticator> tokens = requireApiTokens(security, environment);
        LiveStreams streams = new LiveStreams(stores.feed(),
                environment.lifecycle().scheduledExecutorService("live-stream-keep-alive").threads(1).build());
        environment.lifecycle().manage(streams);
        // Open streams would hold Jetty's graceful stop for its whole grace period: end them as the stop begins.
        environment.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                streams.closeAll();
            }
        });
        keepStreamsUncompressed(config);
        environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
        environment.servlets().addFilter("unread-bodies", new UnreadBodyFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        environment.servlets().addFilter("request-metrics", prometheus.requestCounter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("live-streams", new LiveStreamFilter(engine, streams, tokens,
                        environment.getObjectMapper(), engineConfig.liveStreamWork(environment)))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.metrics().gauge("streams.open", () -> () -> streams.size());
        environment.servlets().addFilter("job-status", new JobStatusFilter(engine, environment.getObjectMapper(), tokens,
                        environment.metrics().timer(MetricRegistry.name(JobResource.class, "status"))))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("dashboard-redirect", new DashboardRedirectFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.jersey().register(new VersionPrefixFilter());
        environment.jersey().register(new RequestSizeFilter(security.getMaxRequestSize().toBytes(),
                security.getMaxInputSize().toBytes()));
        ErrorMappers.all().forEach(environment.jersey()::register);
        environment.jersey().register(new UnannotatedJsonWrites());
        RequestLimits limits = new RequestLimits(security.getMaxSteps(), security.getMaxEnvironmentVariables(),
                security.getMaxValueLength(), config.getDocker().networkModesStepsMayChoose(), engineConfig.getMaxRetries(),
                engineConfig.getMaxRetryDelay().toJavaDuration(), webhooks.targets(), security.getMaxRequestSize().toBytes(),
                security.getMaxInputSize().toBytes());
        environment.jersey().register(new JobResource(engine, limits, security.getMaxLogLines(),
                engineConfig.waitAnswers(environment), environment.getObjectMapper(), environment.getValidator(),
                webhooks.defaultCallback() == null ? null : Callback.configuredDefault()));
        environment.jersey().register(new OpenApiDocument());
        environment.jersey().register(new HealthResource(environment.healthChecks()));
    }

    /**
     * Gzip holds back what it compresses until its buffer fills: a live stream's lines must go out as they come. Jetty
     * leaves Server-Sent Events alone already; NDJSON it would compress.
     */
    private static void keepStreamsUncompressed(DrayConfiguration config) {
        if (config.getServerFactory() instanceof AbstractServerFactory server) {
            Set<String> configured = server.getGzipFilterFactory().getExcludedMimeTypes();
            Set<String> excluded = configured == null ? new HashSet<>() : new HashSet<>(configured);
            excluded.add("text/event-stream");
            excluded.add("application/x-ndjson");
            server.getGzipFilterFactory().setExcludedMimeTypes(excluded);
        }
    }

    /**
     * With tokens configured every /jobs route needs one; without, the API stays open as the original's was.
     *
     * @return the tokens' authenticator, empty when the API is open
     */
    private static Optional<ApiTokenAuthenticator> requireApiTokens(SecurityFactory security, Environment environment) {
        List<byte[]> tokenHashes = security.apiTokenHashes();
        if (tokenHashes.isEmpty()) {
            LOG.warn("no API tokens are configured (security.apiTokens, DRAY_API_TOKENS): anyone who reaches this API"
                    + " can run any image on this Docker engine");
            return Optional.empty();
        }
        ApiTokenAuthenticator tokens = new ApiTokenAuthenticator(tokenHashes);
        environment.jersey().register(new AuthDynamicFeature(
                new OAuthCredentialAuthFilter.Builder<ApiTokenAuthenticator.ApiClient>()
                        .setAuthenticator(tokens)
                        .setPrefix("Bearer")
                        .setRealm("dray")
                        .setUnauthorizedHandler(new ErrorMappers.Unauthorized())
                        .buildAuthFilter()));
        environment.jersey().register(RolesAllowedDynamicFeature.class);
        return Optional.of(tokens);
    }

    /** A number where a string belongs, or "true" where a boolean belongs, is a client's mistake: answer 400. */
    private static void rejectScalarCoercion(ObjectMapper json) {
        json.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        json.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
}
