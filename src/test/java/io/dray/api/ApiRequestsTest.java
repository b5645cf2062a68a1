package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiRequestsTest {
    @Test
    void takesTheIdOfAJobsStatusRouteWithOrWithoutAVersion() {
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/ABC-1"), "")).isEqualTo("ABC-1");
        assertThat(ApiRequests.jobId(ApiRequests.route("/v1/jobs/ABC-1"), "")).isEqualTo("ABC-1");
        assertThat(ApiRequests.jobId(ApiRequests.route("/v2.0.1/jobs/ABC-1"), "")).isEqualTo("ABC-1");
    }

    @Test
    void handsEveryOtherPathOnToJersey() {
        assertThat(ApiRequests.jobId(ApiRequests.route(null), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/ABC-1/log"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/v1/jobs/ABC-1/log"), "/log")).isEqualTo("ABC-1");
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs//log"), "/log")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/A/B/log"), "/log")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/ABC-1/cancel"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobsABC-1"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/vx/jobs/ABC-1"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/other/jobs/ABC-1"), "")).isNull();
        assertThat(ApiRequests.jobId(ApiRequests.route("/jobs/ABC%2D1"), "")).as("escaped: Jersey decodes it").isNull();
    }
}
