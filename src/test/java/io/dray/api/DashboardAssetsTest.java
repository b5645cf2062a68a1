package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DashboardAssetsTest {
    @Test
    void aJobsPageAndTheSubmitPageAreTheDashboardsPage() {
        assertThat(DashboardAssets.isPageRoute("dashboard/jobs/51E0E756-1C2B-4B8E-9C1D-0A1B2C3D4E5F")).isTrue();
        assertThat(DashboardAssets.isPageRoute("dashboard/submit")).isTrue();
    }

    @Test
    void assetsAndAnythingElseAreThemselves() {
        assertThat(DashboardAssets.isPageRoute("dashboard")).isFalse();
        assertThat(DashboardAssets.isPageRoute("dashboard/app.js")).isFalse();
        assertThat(DashboardAssets.isPageRoute("dashboard/jobs/")).isFalse();
        assertThat(DashboardAssets.isPageRoute("dashboard/jobs/ABC/log")).isFalse();
        assertThat(DashboardAssets.isPageRoute("dashboard/jobs/style.css")).isFalse();
        assertThat(DashboardAssets.isPageRoute("dashboard/submit/x")).isFalse();
        assertThat(DashboardAssets.isPageRoute("elsewhere/submit")).isFalse();
    }
}
