package io.dray.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.core.LoggedSecrets;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
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

    /**
     * A PEM file of the certificate authorities a {@code rediss://} server's certificate must chain to, instead of the
     * JVM's trust store (env REDIS_CA_FILE).
     */
    private String caFile = "";

    /**
     * Sentinels to ask where the master is, comma-separated {@code host:port} (env REDIS_SENTINELS); empty: the URL's
     * host is the master. With sentinels, the URL gives only the password, database and TLS, and Dray follows the
     * master they name through a failover.
     */
    private String sentinels = "";

    /** The name the sentinels monitor the master under (env REDIS_MASTER_NAME). */
    private String masterName = "mymaster";

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
    public String getSentinels() {
        return sentinels;
    }

    @JsonProperty
    public void setSentinels(String sentinels) {
        this.sentinels = sentinels == null ? "" : sentinels;
    }

    @JsonProperty
    public String getMasterName() {
        return masterName;
    }

    @JsonProperty
    public void setMasterName(String masterName) {
        this.masterName = masterName == null || masterName.isBlank() ? "mymaster" : masterName.trim();
    }

    @JsonProperty
    public String getUrl() {
        return url;
    }

    @JsonProperty
    public void setUrl(String url) {
        this.url = url;
    }

    @JsonProperty
    public String getCaFile() {
        return caFile;
    }

    @JsonProperty
    public void setCaFile(String caFile) {
        this.caFile = caFile == null ? "" : caFile;
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

    /**
     * A pooled client whose connections are made lazily, so Dray starts (and says it is unhealthy) without Redis; with
     * sentinels, one that asks them for the master and follows it when they fail over (at least one sentinel must
     * answer at start).
     */
    public UnifiedJedis build() {
        URI uri = uri();
        if (uri.getRawUserInfo() != null) {
            // Held for the process's life: the log never shows the password, as written in the URL or decoded.
            LoggedSecrets.hold(Stream.of(JedisURIHelper.getPassword(uri),
                            uri.getRawUserInfo().substring(uri.getRawUserInfo().indexOf(':') + 1))
                    .filter(Objects::nonNull).toList());
        }
        LOG.info("Redis at {}{}", maskedUrl(), caFile.isBlank() ? "" : ", trusting the certificate authorities of " + caFile);
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMaxWait(poolWait.toJavaDuration());
        if (!sentinelAddresses().isEmpty()) {
            LOG.info("Redis master {} as sentinels {} name it", masterName, sentinelAddresses());
            return RedisSentinelClient.builder()
                    .masterName(masterName)
                    .sentinels(sentinelAddresses())
                    .sentinelClientConfig(DefaultJedisClientConfig.builder()
                            .connectionTimeoutMillis((int) connectTimeout.toMilliseconds())
                            .socketTimeoutMillis((int) socketTimeout.toMilliseconds())
                            .build())
                    .clientConfig(clientConfig(uri))
                    .poolConfig(pool)
                    .build();
        }
        return RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                .clientConfig(clientConfig(uri))
                .poolConfig(pool)
                .build();
    }

    private Set<HostAndPort> sentinelAddresses() {
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        for (String address : sentinels.split(",")) {
            if (!address.isBlank()) {
                addresses.add(HostAndPort.from(address.trim()));
            }
        }
        return addresses;
    }

    /**
     * Makes one connection outside the pool, with the same settings, for a subscriber: it holds its connection for as
     * long as it listens, and must be able to close it to stop.
     */
    public Supplier<Jedis> dedicatedConnections(UnifiedJedis client) {
        URI uri = uri();
        DefaultJedisClientConfig config = clientConfig(uri);
        if (client instanceof RedisSentinelClient sentinelled) {
            return () -> new Jedis(sentinelled.getCurrentMaster(), config); // wherever the master is now
        }
        HostAndPort address = JedisURIHelper.getHostAndPort(uri);
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
        if (!caFile.isBlank() && !JedisURIHelper.isRedisSSLScheme(uri)) {
            throw new IllegalArgumentException("redis.caFile is set but redis.url " + maskedUrl()
                    + " is not rediss://: the connection would not be encrypted");
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
                .database(JedisURIHelper.getDBIndex(uri));
        if (JedisURIHelper.isRedisSSLScheme(uri)) {
            // Jedis checks no host name by itself: without this, any certificate the CA signed would do.
            SSLParameters verifyHostName = new SSLParameters();
            verifyHostName.setEndpointIdentificationAlgorithm("HTTPS");
            client.ssl(true).sslSocketFactory(tlsSockets()).sslParameters(verifyHostName);
        }
        if (JedisURIHelper.getPassword(uri) != null) {
            client.user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri));
        }
        return client.build();
    }

    private SSLSocketFactory tlsSockets() {
        if (caFile.isBlank()) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try (InputStream pem = Files.newInputStream(Path.of(caFile.trim()))) {
            KeyStore authorities = KeyStore.getInstance(KeyStore.getDefaultType());
            authorities.load(null, null);
            for (Certificate authority : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                authorities.setCertificateEntry("ca-" + authorities.size(), authority);
            }
            if (authorities.size() == 0) {
                throw new IllegalArgumentException("redis.caFile " + caFile + " holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(authorities);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read redis.caFile " + caFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("redis.caFile " + caFile + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Closes the client when Dray stops, after the engine that writes through it. */
    public static Managed lifecycleOf(UnifiedJedis client) {
        return new Managed() {
            @Override
            public void stop() {
                client.close();
            }
        };
    }
}
