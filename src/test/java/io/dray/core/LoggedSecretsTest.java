package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoggedSecretsTest {

    @Test
    void aHeldValueIsMaskedUntilItsLastHoldCloses() {
        String secret = "s3cr3t-" + System.nanoTime();
        LoggedSecrets.Hold first = LoggedSecrets.hold(List.of(secret));
        LoggedSecrets.Hold second = LoggedSecrets.hold(List.of(secret, ""));
        assertThat(LoggedSecrets.mask("key=" + secret + "; again " + secret)).isEqualTo("key=****; again ****");
        first.close();
        first.close(); // closing twice releases once
        assertThat(LoggedSecrets.mask("key=" + secret)).isEqualTo("key=****");
        second.close();
        assertThat(LoggedSecrets.mask("key=" + secret)).isEqualTo("key=" + secret);
    }

    @Test
    void aValueThatContainsAnotherIsMaskedWhole() {
        String inner = "inner-" + System.nanoTime();
        String outer = "outer-" + inner + "-outer";
        try (LoggedSecrets.Hold held = LoggedSecrets.hold(List.of(inner, outer))) {
            assertThat(LoggedSecrets.mask("[" + outer + "] [" + inner + "]")).isEqualTo("[****] [****]");
        }
    }

    @Test
    void valuesTooShortToTellFromOtherTextAreNotMasked() {
        try (LoggedSecrets.Hold held = LoggedSecrets.hold(List.of("1", "yes", "abcd-" + System.nanoTime()))) {
            assertThat(LoggedSecrets.mask("job 1: yes")).isEqualTo("job 1: yes");
        }
    }

    @Test
    void textWithoutSecretsIsTheSameInstance() {
        String text = new String("nothing to hide");
        try (LoggedSecrets.Hold held = LoggedSecrets.hold(List.of("absent-" + System.nanoTime()))) {
            assertThat(LoggedSecrets.mask(text)).isSameAs(text);
            assertThat(LoggedSecrets.mask(null)).isNull();
        }
    }
}
