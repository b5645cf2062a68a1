package io.dray.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * How Dray reaches Redis: {@code redis:} in config.yml. The URL may hold a password, so Dray shows it only as
 * {@link #maskedUrl()}: in messages, in logs, in answers.
 */
public class RedisFactory {
    private static final Logger LOG = LoggerFactory.getLogger(RedisFactory.class);

    /** {@code redis://[[user]:password@]host:port[/database]}, or {@code rediss://} for TLS (env REDIS_URL). */
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
        LOG.info("Redis at {}", maskedUrl());
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

    /** The URL with its password, if it has one, shown as {@code ****}. */
    public String maskedUrl() {
        return masked(url);
    }

    /**
     * Works on the text, not a parsed URI, so that a URL too broken to parse is masked too: everything between the
     * scheme and the last {@code @} is user information; the part after its first {@code :} is the password. Without
     * a {@code :} the whole of it is masked, in case it is a password written without one.
     */
    static String masked(String url) {
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int scheme = url.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        int colon = url.indexOf(':', start);
        String user = colon >= 0 && colon < at ? url.substring(start, colon + 1) : "";
        return url.substring(0, start) + user + "****" + url.substring(at);
    }

    private URI uri() {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // Not kept as the cause: its message quotes the whole URL, password and all.
            throw new IllegalArgumentException("redis.url " + maskedUrl() + " is not a URL: " + e.getReason()
                    + " at index " + e.getIndex() + encodingHint());
        }
        if (!(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri)) || !JedisURIHelper.isValid(uri)) {
            throw new IllegalArgumentException("redis.url " + maskedUrl()
                    + " is not redis://[[user]:password@]host:port[/database] or rediss://..." + encodingHint());
        }
        if (uri.getUserInfo() != null && !uri.getUserInfo().contains(":")) {
            throw new IllegalArgumentException("redis.url " + maskedUrl()
                    + " has user information without a ':': write redis://:password@... or redis://user:password@...");
        }
        return uri;
    }

    /** A raw {@code /}, {@code ?}, {@code #}, {@code @} or {@code %} in a password breaks a URL or changes what it says. */
    private String encodingHint() {
        return url.contains("@") ? " (a password with reserved characters must be percent-encoded)" : "";
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
