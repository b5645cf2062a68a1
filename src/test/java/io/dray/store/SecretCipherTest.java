package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCipherTest {
    private final SecretCipher cipher = new SecretCipher(new byte[32]);

    @Test
    void aSecretReadsBackButIsNeverStoredInClear() {
        String sealed = cipher.encrypt("hunter2 ✓");
        assertThat(sealed).startsWith("enc:v1:").doesNotContain("hunter2");
        assertThat(cipher.decrypt(sealed)).isEqualTo("hunter2 ✓");
        assertThat(cipher.encrypt("hunter2 ✓")).as("a fresh nonce each time").isNotEqualTo(sealed);
    }

    @Test
    void anotherKeyCannotReadIt() {
        byte[] other = new byte[32];
        other[0] = 1;
        String sealed = cipher.encrypt("value");
        assertThatThrownBy(() -> new SecretCipher(other).decrypt(sealed))
                .hasMessageContaining("another security.secretKey");
    }

    @Test
    void aKeyMustHaveAnAesLength() {
        assertThatThrownBy(() -> new SecretCipher(new byte[10])).hasMessageContaining("16, 24 or 32 bytes");
    }
}
