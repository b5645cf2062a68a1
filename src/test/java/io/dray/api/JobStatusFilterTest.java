package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobStatusFilterTest {
    @Test
    void takesTheIdOfAJobsStatusRouteWithOrWithoutAVersion() {
        assertThat(JobStatusFilter.jobId("/jobs/ABC-1")).isEqualTo("ABC-1");
        assertThat(JobStatusFilter.jobId("/v1/jobs/ABC-1")).isEqualTo("ABC-1");
        assertThat(JobStatusFilter.jobId("/v2.0.1/jobs/ABC-1")).isEqualTo("ABC-1");
    }

    @Test
    void handsEveryOtherPathOnToJersey() {
        assertThat(JobStatusFilter.jobId(null)).isNull();
        assertThat(JobStatusFilter.jobId("/jobs")).isNull();
        assertThat(JobStatusFilter.jobId("/jobs/")).isNull();
        assertThat(JobStatusFilter.jobId("/jobs/ABC-1/log")).isNull();
        assertThat(JobStatusFilter.jobId("/jobs/ABC-1/cancel")).isNull();
        assertThat(JobStatusFilter.jobId("/jobsABC-1")).isNull();
        assertThat(JobStatusFilter.jobId("/vx/jobs/ABC-1")).isNull();
        assertThat(JobStatusFilter.jobId("/other/jobs/ABC-1")).isNull();
        assertThat(JobStatusFilter.jobId("/jobs/ABC%2D1")).as("escaped: Jersey decodes it").isNull();
    }
}
