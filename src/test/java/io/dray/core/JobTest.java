package io.dray.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {
    @Test
    void aStepSeesTheJobEnvironmentOverlaidWithItsOwnThenWhoItIs() {
        Step step = new Step(null, "img", List.of(new EnvVar("B", "step"), new EnvVar("C", "c")), null, false, null, null);
        Job job = new Job("j", "n", List.of(new EnvVar("A", "a"), new EnvVar("B", "job")), List.of(step));
        assertThat(job.environmentOf(0, 1)).containsExactly(
                java.util.Map.entry("A", "a"), java.util.Map.entry("B", "step"), java.util.Map.entry("C", "c"),
                java.util.Map.entry("DRAY_JOB_ID", "j"), java.util.Map.entry("DRAY_JOB_NAME", "n"),
                java.util.Map.entry("DRAY_CURRENT_STEP_INDEX", "0"), java.util.Map.entry("DRAY_CURRENT_STEP_NAME", ""),
                java.util.Map.entry("DRAY_STEP_ATTEMPT", "1"));
    }

    @Test
    void identityVariablesNameTheStepAndCountItsAttempts() {
        Step first = new Step("fetch", "img", null, null, false, null, null);
        Step second = new Step("sort", "img", null, null, false, null, null);
        Job job = new Job("J1", null, null, List.of(first, second));
        assertThat(job.environmentOf(1, 3)).containsEntry("DRAY_JOB_NAME", "")
                .containsEntry("DRAY_CURRENT_STEP_INDEX", "1")
                .containsEntry("DRAY_CURRENT_STEP_NAME", "sort")
                .containsEntry("DRAY_STEP_ATTEMPT", "3");
    }

    @Test
    void aMaskedJobShowsEverySecretValueAsTheMaskAndKeepsTheRest() {
        Step step = new Step("s", "img", List.of(new EnvVar("PLAIN", "p"), new EnvVar("STEP_KEY", "k1", true)),
                null, false, null, null);
        Job job = new Job("j", "n", List.of(new EnvVar("JOB_KEY", "k2", true)), List.of(step), null, null, 7L,
                new Callback(java.net.URI.create("https://h.example/x"), "k3"));
        Job masked = job.masked();
        assertThat(masked.environment()).containsExactly(new EnvVar("JOB_KEY", "****", true));
        assertThat(masked.steps().get(0).environment())
                .containsExactly(new EnvVar("PLAIN", "p"), new EnvVar("STEP_KEY", "****", true));
        assertThat(masked.callback().secret()).isEqualTo("****");
        assertThat(masked.secretValues()).containsExactly("****");
        assertThat(masked).isEqualTo(new Job("j", "n", masked.environment(), masked.steps(), null, null, 7L,
                masked.callback()));
        assertThat(new Job("j", null, null, List.of(step), null, null, null, Callback.configuredDefault()).masked()
                .callback()).isEqualTo(Callback.configuredDefault());
    }

    @Test
    void stepsAreDescribedByPositionAndNameOrImage() {
        Step named = new Step("sort", "img", null, null, false, null, null);
        Step unnamed = new Step(null, "busybox:1", null, null, false, null, null);
        Job job = new Job("j", null, null, List.of(named, unnamed));
        assertThat(job.describeStep(0)).isEqualTo("step 1 (sort)");
        assertThat(job.describeStep(1)).isEqualTo("step 2 (busybox:1)");
    }

    @Test
    void outputChannelsAreStdoutStderrOrAnAbsolutePath() {
        assertThat(OutputChannel.parse(null)).isEqualTo(OutputChannel.STDOUT);
        assertThat(OutputChannel.parse("stderr")).isEqualTo(OutputChannel.STDERR);
        assertThat(OutputChannel.parse("/out/data.txt")).isEqualTo(new OutputChannel.File("/out/data.txt"));
        assertThatThrownBy(() -> OutputChannel.parse("out.txt")).hasMessageContaining("absolute file path");
        assertThatThrownBy(() -> OutputChannel.parse("/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretValuesAreCollectedFromTheJobAndEveryStepAndNeverPrinted() {
        EnvVar secret = new EnvVar("KEY", "hunter2", true);
        Step step = new Step(null, "img", List.of(new EnvVar("TOKEN", "t0k3n", true), new EnvVar("PLAIN", "p")), null,
                false, null, null);
        Job job = new Job("j", null, List.of(secret), List.of(step));
        assertThat(job.secretValues()).containsExactlyInAnyOrder("hunter2", "t0k3n");
        assertThat(secret.toString()).isEqualTo("KEY=****");
        assertThat(job.toString()).doesNotContain("hunter2").doesNotContain("t0k3n");
    }

    @Test
    void aJobNeedsSteps() {
        assertThatThrownBy(() -> new Job("j", null, null, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
