package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import io.dray.support.CertificateAuthority;
import io.dray.support.RedisServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * How {@link RedisFactory} logs in and speaks TLS, against real redis-servers of the test's own: one that asks for a
 * password and has a user of its own, and two that speak only TLS, one with a certificate for this host and one with
 * a certificate for another.
 */
class RedisConnectionIT {
    /** With characters a URL reserves, so the URL must carry it percent-encoded. */
    private static final String PASSWORD = "p@ss:w/rd-" + UUID.randomUUID();
    private static final String ENCODED = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    private static final String USER_PASSWORD = "user-pw-" + UUID.randomUUID();
    private static CertificateAuthority ca;
    private static RedisServer withPassword;
    private static RedisServer overTls;
    private static RedisServer overTlsForAnotherHost;

    @BeforeAll
    static void start() throws Exception {
        ca = CertificateAuthority.create();
        withPassword = new RedisServer("--requirepass", PASSWORD,
                "--user", "dray", "on", ">" + USER_PASSWORD, "~*", "&*", "+@all");
        overTls = RedisServer.withTls(ca.issue("DNS:localhost", "IP:127.0.0.1"), "--requirepass", PASSWORD);
        overTlsForAnotherHost = RedisServer.withTls(ca.issue("DNS:redis.example"));
        for (RedisServer redis : new RedisServer[] {withPassword, overTls, overTlsForAnotherHost}) {
            redis.start();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (RedisServer redis : new RedisServer[] {withPassword, overTls, overTlsForAnotherHost}) {
            redis.close();
        }
    }

    private static RedisFactory factory(String url, String caFile) {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(url);
        factory.setCaFile(caFile);
        return factory;
    }

    private static HealthCheck.Result health(String url, String caFile) {
        try (UnifiedJedis client = factory(url, caFile).build()) {
            return new RedisHealthCheck(client).execute();
        }
    }

    /** On a dedicated connection, the other way Dray connects: a subscriber's. */
    private static String whoAmI(String url) {
        try (Jedis connection = factory(url, "").dedicatedConnections(null).get()) {
            return connection.aclWhoAmI();
        }
    }

    @Test
    void aPercentEncodedPasswordAloneLogsInAsTheDefaultUserAndAUserWithHisPasswordAsHim() {
        assertThat(whoAmI(withPassword.url(":" + ENCODED))).isEqualTo("default");
        assertThat(whoAmI(withPassword.url("dray:" + USER_PASSWORD))).isEqualTo("dray");
    }

    @Test
    void aWrongOrMissingPasswordLeavesRedisUnavailableAndSaysWhy() {
        HealthCheck.Result wrong = health(withPassword.url(":wrong-" + UUID.randomUUID()), "");
        assertThat(wrong.isHealthy()).isFalse();
        assertThat(wrong.getMessage())
                .isEqualTo("Redis is unavailable: WRONGPASS invalid username-password pair or user is disabled.");
        HealthCheck.Result wrongUser = health(withPassword.url("dray:" + ENCODED), "");
        assertThat(wrongUser.getMessage()).isEqualTo(wrong.getMessage());
        HealthCheck.Result none = health(withPassword.url(), "");
        assertThat(none.isHealthy()).isFalse();
        assertThat(none.getMessage()).isEqualTo("Redis is unavailable: NOAUTH Authentication required.");
    }

    @Test
    void overTlsTheServerIsTrustedWithTheCaFileByItsAddressOrName() {
        String caFile = ca.certificate().toString();
        assertThat(health(overTls.url(":" + ENCODED), caFile).isHealthy()).isTrue();
        assertThat(health(overTls.url(":" + ENCODED).replace("127.0.0.1", "localhost"), caFile).isHealthy()).isTrue();
    }

    @Test
    void overTlsWithoutTheCaFileTheServerIsNotTrusted() {
        HealthCheck.Result refused = health(overTls.url(":" + ENCODED), "");
        assertThat(refused.isHealthy()).isFalse();
        assertThat(refused.getMessage()).isEqualTo("Redis is unavailable: javax.net.ssl.SSLHandshakeException: PKIX path"
                + " building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid"
                + " certification path to requested target");
    }

    @Test
    void aCertificateTheCaSignedForAnotherHostIsRefused() {
        String caFile = ca.certificate().toString();
        HealthCheck.Result byAddress = health(overTlsForAnotherHost.url(), caFile);
        assertThat(byAddress.isHealthy()).isFalse();
        assertThat(byAddress.getMessage()).isEqualTo("Redis is unavailable: javax.net.ssl.SSLHandshakeException: No"
                + " subject alternative names matching IP address 127.0.0.1 found");
        HealthCheck.Result byName = health(overTlsForAnotherHost.url().replace("127.0.0.1", "localhost"), caFile);
        assertThat(byName.isHealthy()).isFalse();
        assertThat(byName.getMessage()).isEqualTo("Redis is unavailable: javax.net.ssl.SSLHandshakeException: No"
                + " subject alternative DNS name matching localhost found.");
    }
}
