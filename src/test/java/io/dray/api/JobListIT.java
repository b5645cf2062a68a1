package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.DrayClient;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /jobs} over a thousand jobs on real Redis: the original's answer, filters, newest first, and pages by a
 * cursor that stays right while jobs are deleted. One worker is kept busy so that the jobs stay queued (or are
 * cancelled): no container runs for them.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobListIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", "dray-test-" + UUID.randomUUID() + ":"),
            ConfigOverride.config("engine.maxQueuedJobs", "2000"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()));
    private static final List<String> A_JOBS = new ArrayList<>();
    private static final List<String> B_JOBS = new ArrayList<>();
    private static final Set<String> CANCELLED = new HashSet<>();
    private static String blocker;
    private static DrayClient client;

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-list-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void submitAThousandJobs() throws Exception {
        TestDocker.buildImages();
        client = new DrayClient("http://localhost:" + APP.getLocalPort());
        blocker = client.submit(DrayClient.scriptJob("sleep 300"));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status(blocker).get("status").asText().equals("running"));
        for (int i = 0; i < 1000; i++) {
            String name = (i % 2 == 0 ? "batch-a-" : "batch-b-") + i;
            String id = client.submit(JSON.writeValueAsString(Map.of("name", name, "steps",
                    List.of(Map.of("source", TestDocker.SH)))));
            (i % 2 == 0 ? A_JOBS : B_JOBS).add(id);
            if (i % 3 == 0) {
                assertThat(client.post("/jobs/" + id + "/cancel", HttpRequest.BodyPublishers.noBody()).statusCode())
                        .isEqualTo(200);
                CANCELLED.add(id);
            }
        }
    }

    @AfterAll
    static void deleteEverything() throws Exception {
        for (String id : allInOrder()) {
            client.send(HttpRequest.newBuilder(URI.create(client.url("/jobs/" + id))).DELETE());
        }
        client.send(HttpRequest.newBuilder(URI.create(client.url("/jobs/" + blocker))).DELETE());
        TestDocker.awaitNoContainersOf(blocker);
    }

    private static List<String> allInOrder() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(A_JOBS.get(i));
            all.add(B_JOBS.get(i));
        }
        return all;
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(job -> ids.add(job.get("id").asText()));
        return ids;
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = client.get(path);
        assertThat(answer.statusCode()).as("GET %s: %s", path, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    @Test
    void withoutParametersEveryJobIsListedOldestFirstWithMoreThanItsId() throws Exception {
        JsonNode list = get("/jobs");
        List<String> expected = new ArrayList<>(List.of(blocker));
        expected.addAll(allInOrder());
        assertThat(ids(list)).containsSubsequence(expected).hasSize(expected.size());
        JsonNode first = list.get(1);
        assertThat(first.get("name").asText()).isEqualTo("batch-a-0");
        assertThat(first.get("status").asText()).isEqualTo("cancelled");
        assertThat(first.get("createdAt").asText()).matches("\\d{4}-.*Z");
        assertThat(first.get("finishedAt").asText()).matches("\\d{4}-.*Z");
        assertThat(list.get(2).get("status").asText()).isEqualTo("queued");
        assertThat(list.get(2).has("finishedAt")).isFalse();
    }

    @Test
    void filtersKeepTheJobsOfAStatusANamePrefixAndATimeRange() throws Exception {
        assertThat(ids(get("/jobs?status=cancelled"))).containsExactlyInAnyOrderElementsOf(CANCELLED);
        assertThat(ids(get("/jobs?name=batch-b-"))).containsExactlyElementsOf(B_JOBS);
        List<String> cancelledA = A_JOBS.stream().filter(CANCELLED::contains).toList();
        assertThat(ids(get("/jobs?name=batch-a-&status=cancelled&status=error"))).containsExactlyElementsOf(cancelledA);
        JsonNode all = get("/jobs?name=batch-");
        String middle = all.get(500).get("createdAt").asText();
        List<String> since = ids(get("/jobs?name=batch-&since=" + middle));
        List<String> until = ids(get("/jobs?name=batch-&until=" + middle));
        assertThat(since.size() + until.size()).isEqualTo(1000);
        assertThat(since).contains(all.get(500).get("id").asText());
        assertThat(until).doesNotContain(all.get(500).get("id").asText());
        assertThat(ids(get("/jobs?name=batch-&order=newest&limit=3")))
                .containsExactly(B_JOBS.get(499), A_JOBS.get(499), B_JOBS.get(498));
        HttpResponse<String> newest = client.get("/jobs?name=batch-a-&order=newest&limit=400");
        Matcher link = NEXT.matcher(newest.headers().firstValue("Link").orElseThrow());
        assertThat(link.find()).isTrue();
        URI next = URI.create(link.group(1));
        List<String> rest = ids(get(next.getRawPath() + "?" + next.getRawQuery()));
        List<String> newestFirst = new ArrayList<>(A_JOBS);
        java.util.Collections.reverse(newestFirst);
        assertThat(ids(JSON.readTree(newest.body()))).containsExactlyElementsOf(newestFirst.subList(0, 400));
        assertThat(rest).as("the next page, newest first too").containsExactlyElementsOf(newestFirst.subList(400, 500));
    }

    /** Last: it deletes two of the jobs the others count. */
    @Test
    @Order(Integer.MAX_VALUE)
    void pagesFollowTheLinkHeaderAndStayRightWhileJobsAreDeleted() throws Exception {
        List<String> expected = B_JOBS.stream().filter(id -> !CANCELLED.contains(id)).toList();
        List<String> seen = new ArrayList<>();
        String next = "/jobs?name=batch-b-&status=queued&limit=100";
        int pages = 0;
        String deletedAhead = null;
        while (next != null) {
            HttpResponse<String> page = client.get(next);
            assertThat(page.statusCode()).isEqualTo(200);
            List<String> ids = ids(JSON.readTree(page.body()));
            assertThat(ids.size()).isLessThanOrEqualTo(100);
            seen.addAll(ids);
            pages++;
            if (pages == 1) {
                // A job of a later page goes away, and one of this page: the next pages neither skip nor repeat.
                deletedAhead = expected.get(250);
                client.send(HttpRequest.newBuilder(URI.create(client.url("/jobs/" + deletedAhead))).DELETE());
                client.send(HttpRequest.newBuilder(URI.create(client.url("/jobs/" + ids.get(5)))).DELETE());
            }
            Matcher link = NEXT.matcher(page.headers().firstValue("Link").orElse(""));
            next = link.find() ? URI.create(link.group(1)).getRawPath() + "?" + URI.create(link.group(1)).getRawQuery()
                    : null;
        }
        List<String> remaining = new ArrayList<>(expected);
        remaining.remove(deletedAhead);
        assertThat(seen).containsExactlyElementsOf(remaining);
        assertThat(pages).isBetween(4, 5);
    }

    @Test
    void badParametersAreAnsweredWithWhatIsWrong() throws Exception {
        assertThat(client.get("/jobs?status=finished").statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(client.get("/jobs?status=finished").body()).get("message").asText())
                .contains("status must be one of");
        assertThat(client.get("/jobs?order=sideways").statusCode()).isEqualTo(422);
        assertThat(client.get("/jobs?limit=0").statusCode()).isEqualTo(422);
        assertThat(client.get("/jobs?limit=10001").statusCode()).isEqualTo(422);
        assertThat(client.get("/jobs?limit=99999999999").statusCode()).isEqualTo(422);
        assertThat(client.get("/jobs?limit=99999999999999999999").statusCode()).isEqualTo(400);
        assertThat(client.get("/jobs?cursor=-1").statusCode()).isEqualTo(422);
        assertThat(client.get("/jobs?since=yesterday").statusCode()).isEqualTo(400);
    }
}
