package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dray.config.SecurityFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTokenAuthenticatorTest {
    private final ApiTokenAuthenticator authenticator = new ApiTokenAuthenticator(
            List.of(SecurityFactory.sha256("first"), SecurityFactory.sha256("second")));

    @Test
    void anyConfiguredTokenIsAcceptedAndNamedWithoutRevealingIt() {
        assertThat(authenticator.authenticate("second")).hasValueSatisfying(client ->
                assertThat(client.getName()).startsWith("token ").doesNotContain("second"));
        assertThat(authenticator.authenticate("first")).isPresent();
    }

    @Test
    void anyOtherTokenIsRefused() {
        assertThat(authenticator.authenticate("")).isEmpty();
        assertThat(authenticator.authenticate("firs")).isEmpty();
        assertThat(authenticator.authenticate("first ")).isEmpty();
    }
}
