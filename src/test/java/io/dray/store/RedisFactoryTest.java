package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A URL that holds a password is shown masked, and one Dray cannot use is refused with a message that keeps it so. */
class RedisFactoryTest {
    private static Throwable building(String url, String caFile) {
        RedisFactory factory = new RedisFactory();
        factory.setUrl(url);
        factory.setCaFile(caFile);
        return catchThrowable(factory::build);
    }

    /** The message and the stack trace, causes and all: what a log would print. */
    private static String printed(Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    @Test
    void aUrlIsShownWithItsPasswordMasked() {
        assertThat(RedisFactory.masked("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
        assertThat(RedisFactory.masked("redis://:secret@cache:6379/2")).isEqualTo("redis://:****@cache:6379/2");
        assertThat(RedisFactory.masked("rediss://dray:secret@cache:6380")).isEqualTo("rediss://dray:****@cache:6380");
        assertThat(RedisFactory.masked("redis://dray:se:c@r/et@cache:6379")).isEqualTo("redis://dray:****@cache:6379");
        assertThat(RedisFactory.masked("redis://secret@cache:6379")).isEqualTo("redis://****@cache:6379");
        assertThat(RedisFactory.masked(":secret@cache:6379")).isEqualTo(":****@cache:6379");
    }

    @Test
    void aUrlThatIsNotOneIsRefusedWithoutShowingItsPassword() {
        Throwable refused = building("redis://:se cret@cache:6379", "");
        assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessage("redis.url redis://:****@cache:6379"
                + " is not a URL: Illegal character in authority at index 8 (a password with reserved characters must be"
                + " percent-encoded)");
        assertThat(printed(refused)).doesNotContain("se cret", "cret");
    }

    @Test
    void aUrlOfAnotherShapeIsRefusedWithoutShowingItsPassword() {
        assertThat(building("redis://cache", "")).hasMessage("redis.url redis://cache is not"
                + " redis://[[user]:password@]host:port[/database] or rediss://...");
        assertThat(building("http://dray:secret@cache:6379", "")).hasMessage("redis.url http://dray:****@cache:6379 is"
                + " not redis://[[user]:password@]host:port[/database] or rediss://... (a password with reserved"
                + " characters must be percent-encoded)");
        Throwable unencoded = building("redis://:sec/ret@cache:6379", "");
        assertThat(unencoded).hasMessage("redis.url redis://:****@cache:6379 is not"
                + " redis://[[user]:password@]host:port[/database] or rediss://... (a password with reserved"
                + " characters must be percent-encoded)");
        assertThat(printed(unencoded)).doesNotContain("sec/ret", "ret@");
    }

    @Test
    void userInformationWithoutAColonIsRefusedAsAPasswordMayBeIt() {
        Throwable refused = building("redis://secret@cache:6379", "");
        assertThat(refused).hasMessage("redis.url redis://****@cache:6379 has user information without a ':': write"
                + " redis://:password@... or redis://user:password@...");
        assertThat(printed(refused)).doesNotContain("secret");
    }

    @Test
    void aCaFileForAConnectionWithoutTlsIsRefused() {
        assertThat(building("redis://:secret@cache:6379", "/etc/ssl/certs/ca-certificates.crt")).hasMessage(
                "redis.caFile is set but redis.url redis://:****@cache:6379 is not rediss://: the connection would not"
                        + " be encrypted");
    }

    @Test
    void aCaFileThatIsMissingOrHoldsNoCertificateIsRefused() throws Exception {
        Path missing = Path.of("/nonexistent/ca.pem");
        assertThat(building("rediss://cache:6380", missing.toString())).hasMessage("cannot read redis.caFile " + missing);
        Path empty = Files.createTempFile("dray-ca-", ".pem");
        assertThat(building("rediss://cache:6380", empty.toString()))
                .hasMessage("redis.caFile " + empty + " holds no PEM certificate");
        Path notPem = Files.writeString(Files.createTempFile("dray-ca-", ".pem"), "not a certificate\n");
        assertThat(building("rediss://cache:6380", notPem.toString()))
                .hasMessageStartingWith("redis.caFile " + notPem + " is not a PEM certificate: ");
    }
}
