package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageAllowListTest {
    @Test
    void noPatternsAllowEveryImage() {
        assertThat(new ImageAllowList(List.of()).permits("anything/at:all")).isTrue();
    }

    @Test
    void aSingleStarStaysWithinAPathSegment() {
        ImageAllowList list = new ImageAllowList(List.of("dray-example/*"));
        assertThat(list.permits("dray-example/sh")).isTrue();
        assertThat(list.permits("dray-example/sh:1.0")).isTrue();
        assertThat(list.permits("dray-example/a/b")).isFalse();
        assertThat(list.permits("busybox")).isFalse();
        assertThat(list.permits("evil/dray-example/sh")).isFalse();
    }

    @Test
    void aDoubleStarCrossesSegmentsAndRegistriesWithPortsWork() {
        ImageAllowList list = new ImageAllowList(List.of("127.0.0.1:5000/**"));
        assertThat(list.permits("127.0.0.1:5000/team/tool:v2")).isTrue();
        assertThat(list.permits("127.0.0.1:5001/team/tool")).isFalse();
    }

    @Test
    void aPatternWithATagMatchesOnlyThatTagAndNoTagMeansLatest() {
        ImageAllowList list = new ImageAllowList(List.of("busybox:latest"));
        assertThat(list.permits("busybox")).isTrue();
        assertThat(list.permits("busybox:latest")).isTrue();
        assertThat(list.permits("busybox:1.36")).isFalse();
    }
}
