package io.dray.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.JedisURIHelper;

/** How Dray reaches Redis: {@code redis:} in config.yml. */
public class RedisFactory {
    @NotEmpty
    private String url = "redis://127.0.0.1:6379";

    @NotEmpty
    private String keyPrefix = "dray:";

    @Min(1)
    private int poolSize = 32;

    @NotNull
    private Duration connectTimeout = Duration.seconds(2);

    @NotNull
    private Duration socketTimeout = Duration.seconds(5);

    /** How long a request waits for a free pooled connection before it is answered 503. */
    @NotNull
    private Duration poolWait = Duration.seconds(2);

    @JsonProperty
    public String getUrl() {
        return url;
    }

    @JsonProperty
    public void setUrl(String url) {
        this.url = url;
    }

    @JsonProperty
    public String getKeyPrefix() {
        return keyPrefix;
    }

    @JsonProperty
    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    @JsonProperty
    public int getPoolSize() {
        return poolSize;
    }

    @JsonProperty
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
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
    public Duration getSocketTimeout() {
        return socketTimeout;
    }

    @JsonProperty
    public void setSocketTimeout(Duration socketTimeout) {
        this.socketTimeout = socketTimeout;
    }

    @JsonProperty
    public Duration getPoolWait() {
        return poolWait;
    }

    @JsonProperty
    public void setPoolWait(Duration poolWait) {
        this.poolWait = poolWait;
    }

    /** A pooled client whose connections are made lazily, so Dray starts (and says it is unhealthy) without Redis. */
    public RedisClient build() {
        URI uri = uri();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMaxWait(poolWait.toJavaDuration());
        return RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                .clientConfig(clientConfig(uri))
                .poolConfig(pool)
                .build();
    }

    /**
     * Makes one connection outside the pool, with the same settings, for a subscriber: it holds its connection for as
     * long as it listens, and must be able to close it to stop.
     */
    public Supplier<Jedis> dedicatedConnections() {
        URI uri = uri();
        HostAndPort address = JedisURIHelper.getHostAndPort(uri);
        DefaultJedisClientConfig config = clientConfig(uri);
        return () -> new Jedis(address, config);
    }

    private URI uri() {
        URI uri = URI.create(url);
        if (!JedisURIHelper.isValid(uri)) {
            throw new IllegalArgumentException("redis.url is not a redis:// URL: " + url);
        }
        return uri;
    }

    private DefaultJedisClientConfig clientConfig(URI uri) {
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connectTimeout.toMilliseconds())
                .socketTimeoutMillis((int) socketTimeout.toMilliseconds())
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri));
        if (JedisURIHelper.getPassword(uri) != null) {
            client.user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri));
        }
        return client.build();
    }

    /** Closes the client when Dray stops, after the engine that writes through it. */
    public static Managed lifecycleOf(RedisClient client) {
        return new Managed() {
            @Override
            public void stop() {
                client.close();
            }
        };
    }
}
