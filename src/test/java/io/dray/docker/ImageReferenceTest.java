package io.dray.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
    @ParameterizedTest
    @CsvSource({
        "centurylink/randword, centurylink/randword, latest",
        "busybox:1.36, busybox, 1.36",
        "127.0.0.1:5000/dray/word, 127.0.0.1:5000/dray/word, latest",
        "127.0.0.1:5000/dray/word:v2, 127.0.0.1:5000/dray/word, v2",
        "localhost/a_b/c--d:x.y-z, localhost/a_b/c--d, x.y-z",
    })
    void aSourceWithoutTagMeansLatest(String source, String repository, String tag) {
        ImageReference image = ImageReference.parse(source);
        assertThat(image.repository()).isEqualTo(repository);
        assertThat(image.tag()).isEqualTo(tag);
        assertThat(image.version()).isEqualTo(tag);
        assertThat(image.name()).isEqualTo(repository + ":" + tag);
    }

    @org.junit.jupiter.api.Test
    void aDigestIsPulledByDigest() {
        String digest = "sha256:" + "a".repeat(64);
        ImageReference image = ImageReference.parse("busybox@" + digest);
        assertThat(image.tag()).isNull();
        assertThat(image.version()).isEqualTo(digest);
        assertThat(image.name()).isEqualTo("busybox@" + digest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "UPPER/case", "a b", "img:", ":tag", "img:bad tag", "-lead", "a//b", "img@sha256:xyz"})
    void anInvalidSourceIsRefusedWithItsName(String source) {
        assertThatThrownBy(() -> ImageReference.parse(source)).hasMessageContaining("\"" + source + "\" is not a valid image name");
    }
}
