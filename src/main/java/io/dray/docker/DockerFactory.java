package io.dray.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How Dray reaches the Docker engine and how it shapes step containers: {@code docker:} in config.yml. */
public class DockerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(DockerFactory.class);

    @NotEmpty
    private String host = "unix:///var/run/docker.sock";

    /** Empty: let the engine answer in its own version (pinning a version newer than the engine's fails). */
    private String apiVersion = "";

    @NotNull
    private Duration connectTimeout = Duration.seconds(5);

    /**
     * For short calls (create, start, inspect, remove, and setting up an attachment; a stop gets its grace on top).
     * Pulls, waits and attached streams have none: they last as long as the step.
     */
    @NotNull
    private Duration requestTimeout = Duration.seconds(60);

    @Min(2)
    private int maxConnections = 64;

    /** Network mode of step containers; empty means the engine's default. */
    private String networkMode = "";

    /**
     * The network modes a step may ask for ({@code networkMode}), comma-separated, besides {@link #networkMode} itself
     * (env DRAY_ALLOWED_NETWORK_MODES). None by default: a step's network is an operator's choice (host networking,
     * say, reaches everything the host reaches).
     */
    private String allowedNetworkModes = "";

    /** Memory limit of a step that sets none (e.g. 512MiB); none by default. */
    private DataSize defaultMemory;

    /** CPU limit of a step that sets none (e.g. 0.5); none by default. */
    @DecimalMin("0.01")
    private Double defaultCpus;

    /** Linux capabilities step containers keep; every other one is dropped. None by default. */
    @NotNull
    private List<String> capabilities = List.of();

    /** The most processes a step container may have (a fork bomb stops there). */
    @Min(16)
    private long pidsLimit = 4096;

    /** How long a stopped step gets between SIGTERM and SIGKILL (cancel, timeout, shutdown). */
    @NotNull
    private Duration stopGrace = Duration.seconds(10);

    /** Logins for pulls, by registry; they win over config.json's for the same registry. */
    @Valid
    @NotNull
    private List<RegistryLogin> registries = List.of();

    /** DOCKER_CONFIG: Docker's config.json, or the directory holding it; empty means ~/.docker, as for Docker's CLI. */
    private String config = "";

    @JsonProperty
    public String getHost() {
        return host;
    }

    @JsonProperty
    public void setHost(String host) {
        this.host = host;
    }

    @JsonProperty
    public String getApiVersion() {
        return apiVersion;
    }

    @JsonProperty
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @JsonProperty
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    @JsonProperty
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @JsonProperty
    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    @JsonProperty
    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    @JsonProperty
    public int getMaxConnections() {
        return maxConnections;
    }

    @JsonProperty
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @JsonProperty
    public String getNetworkMode() {
        return networkMode;
    }

    @JsonProperty
    public void setNetworkMode(String networkMode) {
        this.networkMode = networkMode;
    }

    @JsonProperty
    public String getAllowedNetworkModes() {
        return allowedNetworkModes;
    }

    @JsonProperty
    public void setAllowedNetworkModes(String allowedNetworkModes) {
        this.allowedNetworkModes = allowedNetworkModes == null ? "" : allowedNetworkModes;
    }

    /**
     * What a step may ask for: the listed modes and the configured one (a step asking for the default changes nothing);
     * with none configured, the engine's default is "bridge", which a step may name as the fork's jobs did.
     */
    public java.util.Set<String> networkModesStepsMayChoose() {
        java.util.Set<String> modes = new java.util.TreeSet<>();
        for (String mode : allowedNetworkModes.split(",")) {
            if (!mode.isBlank()) {
                modes.add(mode.trim());
            }
        }
        modes.add(networkMode.isEmpty() ? "bridge" : networkMode);
        return modes;
    }

    @JsonProperty
    public DataSize getDefaultMemory() {
        return defaultMemory;
    }

    @JsonProperty
    public void setDefaultMemory(DataSize defaultMemory) {
        this.defaultMemory = defaultMemory;
    }

    @JsonProperty
    public Double getDefaultCpus() {
        return defaultCpus;
    }

    @JsonProperty
    public void setDefaultCpus(Double defaultCpus) {
        this.defaultCpus = defaultCpus;
    }

    @JsonProperty
    public List<String> getCapabilities() {
        return capabilities;
    }

    @JsonProperty
    public void setCapabilities(List<String> capabilities) {
        this.capabilities = capabilities;
    }

    @JsonProperty
    public long getPidsLimit() {
        return pidsLimit;
    }

    @JsonProperty
    public void setPidsLimit(long pidsLimit) {
        this.pidsLimit = pidsLimit;
    }

    @JsonProperty
    public Duration getStopGrace() {
        return stopGrace;
    }

    @JsonProperty
    public void setStopGrace(Duration stopGrace) {
        this.stopGrace = stopGrace;
    }

    @JsonProperty
    public List<RegistryLogin> getRegistries() {
        return registries;
    }

    @JsonProperty
    public void setRegistries(List<RegistryLogin> registries) {
        this.registries = registries;
    }

    @JsonProperty
    public String getConfig() {
        return config;
    }

    @JsonProperty
    public void setConfig(String config) {
        this.config = config == null ? "" : config;
    }

    /** Clients are lazy: Dray starts, and says it is unhealthy, while the engine is down. */
    public DockerEngine build() {
        RegistryCredentials credentials = RegistryCredentials.load(registries, config,
                Path.of(System.getProperty("user.home")));
        credentials.warnings().forEach(LOG::warn);
        if (!credentials.isEmpty()) {
            LOG.info("registry logins for pulls: {}", credentials);
        }
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .withDockerTlsVerify(false);
        if (!apiVersion.isEmpty()) {
            builder.withApiVersion(apiVersion);
        }
        DockerClientConfig config = builder.build();
        return new DockerEngine(
                client(config, requestTimeout.toJavaDuration()),
                client(config, requestTimeout.toJavaDuration().plus(stopGrace.toJavaDuration())),
                client(config, null),
                config.getDockerHost(),
                apiVersion.isEmpty() ? "" : "/v" + apiVersion,
                requestTimeout.toJavaDuration(),
                new ContainerDefaults(
                        networkMode.isEmpty() ? null : networkMode,
                        defaultMemory == null ? null : defaultMemory.toBytes(),
                        defaultCpus,
                        stopGrace.toJavaDuration(),
                        capabilities.stream().map(DockerFactory::capability).toList(),
                        pidsLimit),
                credentials);
    }

    /** The health check, which waits for the engine's answer to a ping as long as for a connection. */
    public DockerHealthCheck healthCheck(DockerEngine docker, Environment environment) {
        return new DockerHealthCheck(docker,
                environment.lifecycle().executorService("docker-health-%d").minThreads(1).maxThreads(1).build(),
                connectTimeout.toJavaDuration());
    }

    private static Capability capability(String name) {
        try {
            return Capability.valueOf(name.toUpperCase(java.util.Locale.ROOT).replaceFirst("^CAP_", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("docker.capabilities: unknown capability " + name, e);
        }
    }

    private DockerClient client(DockerClientConfig config, java.time.Duration responseTimeout) {
        ApacheDockerHttpClient.Builder http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .maxConnections(maxConnections)
                .connectionTimeout(connectTimeout.toJavaDuration());
        if (responseTimeout != null) {
            http.responseTimeout(responseTimeout);
        }
        return DockerClientImpl.getInstance(config, http.build());
    }
}
