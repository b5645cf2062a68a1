package io.dray.api;

import static io.dropwizard.testing.ResourceHelpers.resourceFilePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.DrayApplication;
import io.dray.DrayConfiguration;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.LiveStream;
import io.dray.support.TestDocker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Seeing what jobs do, on real Docker and Redis: every log line with its step and stream, live follows (SSE and
 * NDJSON, through any instance), events across instances. The second instance serves the API only
 * ({@code engine.workers: 0}), so that every job runs on the first.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class VisibilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String PREFIX = "dray-test-" + UUID.randomUUID() + ":";
    private static final DropwizardAppExtension<DrayConfiguration> APP = new DropwizardAppExtension<>(
            DrayApplication.class,
            resourceFilePath("test-config.yml"),
            ConfigOverride.config("redis.keyPrefix", PREFIX),
            ConfigOverride.config("engine.workers", "2"),
            ConfigOverride.config("engine.dataDirectory", tempDirectory()));
    private static DrayProcess apiOnly;

    private final List<String> jobs = new ArrayList<>();
    private DrayClient client;

    private static String tempDirectory() {
        try {
            return Files.createTempDirectory("dray-visibility-test-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        apiOnly = DrayProcess.start(REDIS, PREFIX, Map.of("workers", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        apiOnly.close();
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    private DrayClient client() {
        if (client == null) {
            client = new DrayClient("http://localhost:" + APP.getLocalPort());
        }
        return client;
    }

    private String url(String path) {
        return "http://localhost:" + APP.getLocalPort() + path;
    }

    private String submit(String... scripts) throws Exception {
        String id = client().submit(DrayClient.scriptJob(scripts));
        jobs.add(id);
        return id;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = client().get(path);
        assertThat(answer.statusCode()).as("GET %s: %s", path, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static List<String> texts(JsonNode lines) {
        List<String> texts = new ArrayList<>();
        lines.forEach(line -> texts.add(line.asText()));
        return texts;
    }

    @Test
    void aLogOfAHundredThousandAndOneLinesIsReadWholeAndInPages() throws Exception {
        String id = submit("seq 1 100001");
        client().awaitFinished(id, Duration.ofSeconds(120));
        List<String> lines = texts(get("/jobs/" + id + "/log").get("lines"));
        assertThat(lines).hasSize(100_001);
        assertThat(lines.get(0)).isEqualTo("1");
        assertThat(lines.get(100_000)).isEqualTo("100001");
        assertThat(texts(get("/jobs/" + id + "/log?index=99999").get("lines"))).containsExactly("100000", "100001");

        JsonNode page = get("/jobs/" + id + "/log?limit=1000");
        assertThat(page.get("lines")).hasSize(1000);
        assertThat(page.get("next").asLong()).isEqualTo(1000);
        JsonNode last = get("/jobs/" + id + "/log?index=100000&limit=1000");
        assertThat(texts(last.get("lines"))).containsExactly("100001");
        assertThat(last.get("next").isNull()).as("the job ended and nothing is left").isTrue();
    }

    @Test
    void aRunningJobsPageSaysWhereToReadOn() throws Exception {
        String id = submit("echo first; sleep 3; echo second");
        client().awaitLogLine(id, "first");
        JsonNode page = get("/jobs/" + id + "/log?limit=10");
        assertThat(texts(page.get("lines"))).containsExactly("first");
        assertThat(page.get("next").asLong()).isEqualTo(1);
        client().awaitFinished(id, Duration.ofSeconds(30));
        JsonNode rest = get("/jobs/" + id + "/log?limit=10&index=1");
        assertThat(texts(rest.get("lines"))).containsExactly("second");
        assertThat(rest.get("next").isNull()).isTrue();
    }

    @Test
    void theLogIsFilteredByStepAndByStream() throws Exception {
        String id = submit("echo out-0; echo err-0 >&2", "cat; echo err-1 >&2");
        client().awaitFinished(id, Duration.ofSeconds(60));
        assertThat(texts(get("/jobs/" + id + "/log?step=0").get("lines"))).containsExactlyInAnyOrder("out-0", "err-0");
        assertThat(texts(get("/jobs/" + id + "/log?step=1").get("lines"))).containsExactlyInAnyOrder("out-0", "err-1");
        assertThat(texts(get("/jobs/" + id + "/log?stream=stderr").get("lines"))).containsExactly("err-0", "err-1");
        assertThat(texts(get("/jobs/" + id + "/log?step=1&stream=stdout").get("lines"))).containsExactly("out-0");

        HttpResponse<String> noSuchStep = client().get("/jobs/" + id + "/log?step=2");
        assertThat(noSuchStep.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(noSuchStep.body()).get("message").asText()).contains("step must be below 2");
        assertThat(client().get("/jobs/" + id + "/log?stream=both").statusCode()).isEqualTo(422);
        assertThat(client().get("/jobs/" + id + "/log?limit=0").statusCode()).isEqualTo(422);
        assertThat(client().get("/jobs/" + id + "/log?limit=99999999999999999999").statusCode()).isEqualTo(400);
        assertThat(client().get("/jobs/NO-SUCH-JOB/log").statusCode()).isEqualTo(404);
    }

    @Test
    void theStatusTellsTheNameTheRunTimeAndWhatEachStepWrote() throws Exception {
        String id = client().submit("""
                {"name": "counted", "steps": [{"name": "two lines", "source": "%s", "environment": [
                  {"variable": "SCRIPT", "value": "echo one; echo two >&2"}]}]}""".formatted(TestDocker.SH));
        jobs.add(id);
        JsonNode status = client().awaitFinished(id, Duration.ofSeconds(60));
        assertThat(status.get("name").asText()).isEqualTo("counted");
        assertThat(status.get("finishedIn").isNumber()).isTrue();
        assertThat(status.get("finishedIn").asDouble()).isPositive().isLessThan(60);
        JsonNode step = status.get("steps").get(0);
        assertThat(step.get("name").asText()).isEqualTo("two lines");
        assertThat(step.get("attempt").asInt()).isEqualTo(1);
        assertThat(step.get("stdout")).isEqualTo(JSON.readTree("{\"bytes\": 4, \"lines\": 1}"));
        assertThat(step.get("stderr")).isEqualTo(JSON.readTree("{\"bytes\": 4, \"lines\": 1}"));
        assertThat(step.get("bytesPassed").asLong()).isZero();
    }

    @Test
    void aFollowSeesTheLinesWhileTheStepRunsThenTheEnd() throws Exception {
        String id = submit("for i in 1 2 3; do echo line-$i; sleep 1; done");
        try (LiveStream follow = LiveStream.open(url("/jobs/" + id + "/log?follow=true"), "text/event-stream")) {
            LiveStream.Event first = follow.next(Duration.ofSeconds(30));
            assertThat(first).isEqualTo(new LiveStream.Event("line", "0", "line-1"));
            assertThat(get("/jobs/" + id).get("status").asText()).as("seen while the step runs").isEqualTo("running");
            List<LiveStream.Event> rest = follow.rest(Duration.ofSeconds(30));
            assertThat(rest).hasSize(3);
            assertThat(rest.subList(0, 2)).containsExactly(
                    new LiveStream.Event("line", "1", "line-2"), new LiveStream.Event("line", "2", "line-3"));
            assertThat(rest.get(2).event()).isEqualTo("end");
            JsonNode end = JSON.readTree(rest.get(2).data());
            assertThat(end.get("status").asText()).isEqualTo("complete");
            assertThat(end.get("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void aFollowResumesAfterTheLastEventIdAndOnlyTheLinesOfAStepOrStreamAreSent() throws Exception {
        String id = submit("echo a; echo b; echo c", "cat > /dev/null; echo d >&2");
        client().awaitFinished(id, Duration.ofSeconds(60));
        try (LiveStream follow = LiveStream.open(url("/jobs/" + id + "/log?follow=true"), "text/event-stream",
                "Last-Event-ID", "1")) {
            List<LiveStream.Event> events = follow.rest(Duration.ofSeconds(10));
            assertThat(events.subList(0, 2)).containsExactly(
                    new LiveStream.Event("line", "2", "c"), new LiveStream.Event("line", "3", "d"));
            assertThat(events.get(2).event()).isEqualTo("end");
        }
        try (LiveStream follow = LiveStream.open(url("/jobs/" + id + "/log?follow=true&step=0&stream=stdout&index=1"),
                "text/event-stream")) {
            List<LiveStream.Event> events = follow.rest(Duration.ofSeconds(10));
            assertThat(events.subList(0, 2)).extracting(LiveStream.Event::data).containsExactly("b", "c");
            assertThat(events).hasSize(3);
        }
        try (LiveStream follow = LiveStream.open(url("/jobs/" + id + "/log?follow=true&stream=stderr"),
                "application/x-ndjson")) {
            List<LiveStream.Event> events = follow.rest(Duration.ofSeconds(10));
            assertThat(JSON.readTree(events.get(0).data())).isEqualTo(JSON.readTree("{\"index\": 3, \"line\": \"d\"}"));
            assertThat(events).hasSize(2);
        }
    }

    @Test
    void aFollowInNdjsonSendsAnObjectPerLineThenTheEnd() throws Exception {
        String id = submit("echo one; sleep 1; echo two");
        try (LiveStream follow = LiveStream.open(url("/jobs/" + id + "/log?follow=true"), "application/x-ndjson")) {
            List<LiveStream.Event> lines = follow.rest(Duration.ofSeconds(30));
            assertThat(lines).hasSize(3);
            assertThat(JSON.readTree(lines.get(0).data())).isEqualTo(JSON.readTree("{\"index\": 0, \"line\": \"one\"}"));
            assertThat(JSON.readTree(lines.get(1).data())).isEqualTo(JSON.readTree("{\"index\": 1, \"line\": \"two\"}"));
            JsonNode end = JSON.readTree(lines.get(2).data());
            assertThat(end.get("end").asBoolean()).isTrue();
            assertThat(end.get("status").get("status").asText()).isEqualTo("complete");
        }
    }

    @Test
    void aFollowThroughAnotherInstanceSeesTheLinesOfAJobThatRunsOnTheFirst() throws Exception {
        String id = submit("for i in 1 2 3; do echo line-$i; sleep 1; done");
        try (LiveStream follow = LiveStream.open(apiOnly.url("/jobs/" + id + "/log?follow=true"), "text/event-stream")) {
            List<LiveStream.Event> events = follow.rest(Duration.ofSeconds(30));
            assertThat(events).extracting(LiveStream.Event::data).startsWith("line-1", "line-2", "line-3");
            assertThat(events.get(3).event()).isEqualTo("end");
        }
    }

    @Test
    void aQuietFollowGetsKeepAlivesAndAFollowOfADeletedJobEndsSayingSo() throws Exception {
        String id = submit("sleep 20; echo late");
        HttpResponse<java.util.stream.Stream<String>> raw = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/jobs/" + id + "/log?follow=true")))
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        java.util.Iterator<String> lines = raw.body().iterator();
        long opened = System.nanoTime();
        assertThat(lines.next()).as("a keep-alive comment, after 15 s of quiet").isEqualTo(": keep-alive");
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofSeconds(14), Duration.ofSeconds(21));
        assertThat(APP.client().target(url("/jobs/" + id)).request().delete().getStatus()).isEqualTo(204);
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add); // ends: the stream closes
        // A delete cancels first: the follow ends with the job's end (cancelled), or, if the job is already gone when
        // it looks, with a 404 error.
        assertThat(rest).containsAnyOf("event: end", "event: error");
        assertThat(rest.stream().filter(line -> line.startsWith("data: ")).findFirst().orElseThrow())
                .containsAnyOf("\"status\":\"cancelled\"", "\"code\":404");
    }

    @Test
    void aReconnectAfterTheEndIsToldThereIsNothingMore() throws Exception {
        String id = submit("echo only");
        client().awaitFinished(id, Duration.ofSeconds(30));
        HttpResponse<String> again = LiveStream.refused(url("/jobs/" + id + "/log?follow=true"), "text/event-stream",
                "Last-Event-ID", "0");
        assertThat(again.statusCode()).as("SSE's way to stop an EventSource from reconnecting").isEqualTo(204);
    }

    @Test
    void aFollowIsRefusedClearly() throws Exception {
        String id = submit("echo done");
        client().awaitFinished(id, Duration.ofSeconds(30));
        HttpResponse<String> json = LiveStream.refused(url("/jobs/" + id + "/log?follow=true"), "application/json");
        assertThat(json.statusCode()).isEqualTo(406);
        assertThat(JSON.readTree(json.body()).get("message").asText()).contains("text/event-stream");
        assertThat(LiveStream.refused(url("/jobs/NO-SUCH-JOB/log?follow=true"), "text/event-stream").statusCode())
                .isEqualTo(404);
        assertThat(LiveStream.refused(url("/jobs/" + id + "/log?follow=true&index=-1"), "text/event-stream").statusCode())
                .isEqualTo(422);
        assertThat(LiveStream.refused(url("/jobs/" + id + "/log?follow=true"), "text/event-stream",
                "Last-Event-ID", "99999999999999999999").statusCode()).isEqualTo(400);
    }

    @Test
    void theEventsOfAThreeStepJobArriveInOrderThroughAnotherInstance() throws Exception {
        try (Jedis redis = new Jedis(java.net.URI.create(REDIS));
                LiveStream events = LiveStream.open(apiOnly.url("/events"), "text/event-stream")) {
            // Both instances listen on Redis before the job starts.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    redis.pubsubNumSub(PREFIX + "events").get(PREFIX + "events") >= 2);
            String id = submit("echo 1", "cat", "cat");
            List<String> seen = new ArrayList<>();
            while (!seen.contains("job.complete")) {
                LiveStream.Event event = events.next(Duration.ofSeconds(60));
                JsonNode data = JSON.readTree(event.data());
                if (data.get("job").asText().equals(id)) {
                    assertThat(data.get("type").asText()).isEqualTo(event.event());
                    assertThat(data.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
                    seen.add(event.event() + (data.has("step") ? " " + data.get("step").asInt() + " " + data.get("status").asText() : ""));
                }
            }
            assertThat(seen).containsExactly("job.queued", "job.running",
                    "step.running 0 running", "step.exited 0 complete",
                    "step.running 1 running", "step.exited 1 complete",
                    "step.running 2 running", "step.exited 2 complete",
                    "job.complete");
        }
    }

    @Test
    void theEventsOfOneJobTellItsCancelAndItsDeletion() throws Exception {
        String id = submit("sleep 30");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                get("/jobs/" + id).get("steps").get(0).get("state").asText().equals("running"));
        try (LiveStream events = LiveStream.open(url("/events?job=" + id), "text/event-stream")) {
            assertThat(APP.client().target(url("/jobs/" + id)).request().delete().getStatus()).isEqualTo(204);
            List<String> seen = new ArrayList<>();
            while (seen.isEmpty() || !seen.get(seen.size() - 1).startsWith("job.deleted")) {
                LiveStream.Event event = events.next(Duration.ofSeconds(30));
                assertThat(JSON.readTree(event.data()).get("job").asText()).isEqualTo(id);
                seen.add(event.event() + " " + JSON.readTree(event.data()).get("status").asText());
            }
            assertThat(seen).containsExactly("step.exited cancelled", "job.cancelled cancelled", "job.deleted deleted");
        }
    }
    /** An event stream that dropped resumes where it stopped, through any instance, as an EventSource resumes. */
    @Test
    void aClientThatResumesAfterAnEventGetsWhatItMissedAndIsToldWhenThatIsNotKept() throws Exception {
        String id;
        String resumedAfter;
        try (LiveStream events = LiveStream.open(url("/events"), "text/event-stream")) {
            id = submit("echo 1", "sleep 2; cat");
            LiveStream.Event event;
            do {
                event = events.next(Duration.ofSeconds(60));
            } while (!(event.event().equals("step.exited") && JSON.readTree(event.data()).get("job").asText().equals(id)));
            resumedAfter = event.id();
            assertThat(JSON.readTree(event.data()).get("id").asText()).isEqualTo(resumedAfter);
        }
        client().awaitFinished(id, Duration.ofSeconds(60));

        try (LiveStream resumed = LiveStream.open(apiOnly.url("/events?job=" + id), "text/event-stream",
                "Last-Event-ID", resumedAfter)) {
            List<String> seen = new ArrayList<>();
            String last = resumedAfter;
            while (seen.isEmpty() || !seen.get(seen.size() - 1).equals("job.complete")) {
                LiveStream.Event event = resumed.next(Duration.ofSeconds(30));
                assertThat(io.dray.core.JobEvent.compareIds(event.id(), last)).as("ids grow").isPositive();
                last = event.id();
                seen.add(event.event() + (JSON.readTree(event.data()).has("step")
                        ? " " + JSON.readTree(event.data()).get("step").asInt() : ""));
            }
            assertThat(seen).containsExactly("step.running 1", "step.exited 1", "job.complete");
        }
        try (LiveStream resumed = LiveStream.open(url("/events?job=" + id + "&after=" + resumedAfter),
                "application/x-ndjson")) {
            assertThat(JSON.readTree(resumed.next(Duration.ofSeconds(30)).data()).get("type").asText())
                    .isEqualTo("step.running");
        }

        // An id older than anything kept: the client is told to read the jobs again, and listens on.
        try (LiveStream tooOld = LiveStream.open(url("/events"), "text/event-stream", "Last-Event-ID", "1-0")) {
            LiveStream.Event reset = tooOld.next(Duration.ofSeconds(30));
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(JSON.readTree(reset.data()).get("message").asText()).contains("read the jobs' state again");
            String next = submit("echo after the reset");
            assertThat(JSON.readTree(tooOld.next(Duration.ofSeconds(30)).data()).get("job").asText()).isEqualTo(next);
        }
        HttpResponse<String> refused = LiveStream.refused(url("/events"), "text/event-stream", "Last-Event-ID", "yesterday");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("message").asText())
                .isEqualTo("Last-Event-ID must be an event's id, such as 1764460800000-0, not yesterday");
        assertThat(LiveStream.refused(url("/events?after=99999999999999999999-0"), "application/x-ndjson").statusCode())
                .isEqualTo(400);
    }

    /**
     * The race of a resume: events that happen while the history is read are heard live too, and each must reach the
     * client once, in order. A client that drops its stream every few events, thirty times while jobs run, sees what
     * a client that never dropped saw.
     */
    @Test
    void aClientThatDropsItsStreamOverAndOverSeesEveryEventOnceInOrder() throws Exception {
        try (LiveStream reference = LiveStream.open(url("/events"), "text/event-stream")) {
            LiveStream events = LiveStream.open(apiOnly.url("/events"), "text/event-stream");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add(submit("echo " + i));
            }
            List<String> dropping = new ArrayList<>();
            String last = null;
            int completes = 0;
            for (int reconnect = 1; completes < ids.size(); reconnect++) {
                try (LiveStream current = events) {
                    for (int read = 0; read < reconnect % 4 + 1 && completes < ids.size(); read++) {
                        LiveStream.Event event = current.next(Duration.ofSeconds(60));
                        assertThat(event.event()).as("no reset: every missed event is kept").isNotEqualTo("reset");
                        if (ids.contains(JSON.readTree(event.data()).get("job").asText())) {
                            dropping.add(event.id());
                            completes += event.event().equals("job.complete") ? 1 : 0;
                        }
                        last = event.id();
                    }
                }
                if (completes < ids.size()) {
                    // Half the time through the other instance.
                    events = LiveStream.open(reconnect % 2 == 0 ? url("/events") : apiOnly.url("/events"),
                            "text/event-stream", "Last-Event-ID", last);
                }
            }
            List<String> seen = new ArrayList<>();
            for (int referenceCompletes = 0; referenceCompletes < ids.size(); ) {
                LiveStream.Event event = reference.next(Duration.ofSeconds(60));
                if (ids.contains(JSON.readTree(event.data()).get("job").asText())) {
                    referenceCompletes += event.event().equals("job.complete") ? 1 : 0;
                    if (io.dray.core.JobEvent.compareIds(event.id(), dropping.get(0)) >= 0) {
                        seen.add(event.id());
                    }
                }
            }
            assertThat(dropping).containsExactlyElementsOf(seen);
        }
    }
}
