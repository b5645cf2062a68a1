package io.dray;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.config.EngineFactory;
import io.dray.config.SecurityFactory;
import io.dray.docker.DockerFactory;
import io.dray.store.RedisFactory;
import io.dray.webhook.WebhooksFactory;
import io.dropwizard.core.Configuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** config.yml: Dropwizard's server and logging, then one section per outside dependency and one for the engine. */
public class DrayConfiguration extends Configuration {
    @Valid
    @NotNull
    private RedisFactory redis = new RedisFactory();

    @Valid
    @NotNull
    private DockerFactory docker = new DockerFactory();

    @Valid
    @NotNull
    private EngineFactory engine = new EngineFactory();

    @Valid
    @NotNull
    private SecurityFactory security = new SecurityFactory();

    @Valid
    @NotNull
    private WebhooksFactory webhooks = new WebhooksFactory();

    @JsonProperty
    public WebhooksFactory getWebhooks() {
        return webhooks;
    }

    @JsonProperty
    public void setWebhooks(WebhooksFactory webhooks) {
        this.webhooks = webhooks;
    }

    @JsonProperty
    public SecurityFactory getSecurity() {
        return security;
    }

    @JsonProperty
    public void setSecurity(SecurityFactory security) {
        this.security = security;
    }

    @JsonProperty
    public RedisFactory getRedis() {
        return redis;
    }

    @JsonProperty
    public void setRedis(RedisFactory redis) {
        this.redis = redis;
    }

    @JsonProperty
    public DockerFactory getDocker() {
        return docker;
    }

    @JsonProperty
    public void setDocker(DockerFactory docker) {
        this.docker = docker;
    }

    @JsonProperty
    public EngineFactory getEngine() {
        return engine;
    }

    @JsonProperty
    public void setEngine(EngineFactory engine) {
        this.engine = engine;
    }
}
