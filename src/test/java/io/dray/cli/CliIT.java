package io.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bin/dray}, run as a process, as a user runs it, against a real Dray that asks for an API token. */
class CliIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String TOKEN = "token-" + UUID.randomUUID();
    private static final Path DRAY = Path.of("bin", "dray").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DrayProcess dray;
    private static DrayClient client;
    private static Path jobFile;
    private final List<String> jobs = new ArrayList<>();

    /** What a run of the client printed and how it exited. */
    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        TestDocker.buildImages();
        dray = DrayProcess.start(REDIS, "dray-test-" + UUID.randomUUID() + ":", "unix:///var/run/docker.sock",
                Map.of("dataDirectory", Files.createTempDirectory("dray-cli-").toString()), """
                security:
                  apiTokens: "%s"
                """.formatted(TOKEN));
        client = new DrayClient(dray.url(""), TOKEN);
        jobFile = Files.createTempFile("dray-cli-job-", ".json");
        Files.writeString(jobFile, DrayClient.scriptJob("echo one; sleep 1; echo two", "tr a-z A-Z"));
    }

    @AfterAll
    static void stop() throws Exception {
        dray.close();
    }

    @AfterEach
    void noContainerIsLeft() {
        TestDocker.awaitNoContainersOf(jobs);
    }

    @Test
    void submitFollowPrintsTheLogUntilTheEndAndExitsByTheJobsStatus() throws Exception {
        Run complete = dray("submit", "--follow", jobFile.toString());
        assertThat(complete.exit()).as(complete.err()).isZero();
        assertThat(complete.out().lines()).containsExactly("one", "two", "ONE", "TWO");
        String id = complete.err().lines().filter(line -> line.startsWith("job ")).findFirst().orElseThrow().substring(4);
        jobs.add(id);
        assertThat(client.status(id).get("status").asText()).isEqualTo("complete");

        Run failed = dray("submit", "-f", write(DrayClient.scriptJob("echo oops >&2; exit 3")));
        jobs.add(failed.err().lines().findFirst().orElseThrow().substring(4));
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.out()).isEqualTo("oops\n");
    }

    @Test
    void submitPrintsTheIdAndWaitExitsByTheJobsStatus() throws Exception {
        Run submitted = dray("submit", jobFile.toString());
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        String id = submitted.out().strip();
        jobs.add(id);
        assertThat(client.status(id).get("id").asText()).isEqualTo(id);

        Run fromStdin = run(List.of("submit", "--wait", "-"), Map.of(), DrayClient.scriptJob("exit 2"));
        jobs.add(fromStdin.out().strip());
        assertThat(fromStdin.exit()).isEqualTo(1);
        assertThat(client.status(fromStdin.out().strip()).get("status").asText()).isEqualTo("error");
        client.awaitFinished(id, Duration.ofSeconds(60));
    }

    @Test
    void aCancelledJobExitsThreeAndCancelTakesAReason() throws Exception {
        Process follow = start(List.of("submit", "--follow", write(DrayClient.scriptJob("echo started; sleep 60"))));
        BlockingQueue<String> err = lines(follow.getErrorStream());
        BlockingQueue<String> out = lines(follow.getInputStream());
        String id = err.poll(30, TimeUnit.SECONDS).substring(4);
        jobs.add(id);
        assertThat(out.poll(60, TimeUnit.SECONDS)).as("the log, while the job runs").isEqualTo("started");

        Run cancel = dray("cancel", id, "--reason", "no longer needed");
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.out()).isEqualTo(id + " cancelled\n");
        assertThat(follow.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(follow.exitValue()).isEqualTo(3);
        assertThat(client.status(id).get("error").asText()).endsWith("no longer needed");

        Run again = dray("cancel", id);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("has already ended").contains("(409)");
    }

    @Test
    void lsGetLogsAndRm() throws Exception {
        String id = client.submit(DrayClient.scriptJob("echo out; echo err >&2", "cat"));
        jobs.add(id);
        client.awaitFinished(id, Duration.ofSeconds(60));

        Run json = dray("ls", "--json", "--status", "complete");
        assertThat(json.exit()).as(json.err()).isZero();
        List<String> ids = new ArrayList<>();
        JSON.readTree(json.out()).forEach(job -> ids.add(job.get("id").asText()));
        assertThat(ids).contains(id);
        Run limited = dray("ls", "--json", "--limit", "1");
        assertThat(JSON.readTree(limited.out())).hasSize(1);
        Run table = dray("ls");
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("STATUS", "CREATED");
        assertThat(table.out()).containsPattern(id + " .* complete ");
        assertThat(dray("ls", "--status", "lost").err()).contains("status must be one of");

        Run get = dray("get", id);
        JsonNode status = JSON.readTree(get.out());
        assertThat(status.get("status").asText()).isEqualTo("complete");
        assertThat(status.get("steps")).hasSize(2);
        JsonNode definition = JSON.readTree(dray("get", "--definition", id).out());
        assertThat(definition).isEqualTo(JSON.readTree(client.get("/jobs/" + id + "/definition").body()));
        assertThat(definition.get("steps").get(1).get("environment").get(0).get("value").asText()).isEqualTo("cat");

        assertThat(dray("logs", id).out().lines()).containsExactlyInAnyOrder("out", "err", "out");
        assertThat(dray("logs", "--step", "1", id).out()).isEqualTo("out\n");
        Run followed = dray("logs", "-f", "--step", "0", id);
        assertThat(followed.exit()).isZero();
        assertThat(followed.out().lines()).containsExactlyInAnyOrder("out", "err");

        Run rm = dray("rm", id);
        assertThat(rm.exit()).isZero();
        Run gone = dray("get", id);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).startsWith("dray: ").contains(id).contains("(404)");
        assertThat(gone.out()).isEmpty();
    }

    @Test
    void eventsPrintsOneJobsStateChangesAsTheyHappen() throws Exception {
        String id = client.submit(DrayClient.scriptJob("sleep 3"));
        jobs.add(id);
        Process watcher = start(List.of("events", "--json", "--job", id));
        try {
            BlockingQueue<String> out = lines(watcher.getInputStream());
            assertThat(lines(watcher.getErrorStream()).poll(30, TimeUnit.SECONDS)).isEqualTo("dray: listening for events");
            jobs.add(client.submit(DrayClient.scriptJob("true")));
            List<String> types = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            while (!types.contains("job.complete")) {
                String line = out.poll(60, TimeUnit.SECONDS);
                assertThat(line).as("an event within a minute, after %s", types).isNotNull();
                JsonNode event = JSON.readTree(line);
                assertThat(event.get("job").asText()).isEqualTo(id);
                types.add(event.get("type").asText());
                ids.add(event.get("id").asText());
            }
            assertThat(types).endsWith("step.exited", "job.complete");
            assertThat(watcher.isAlive()).as("events go on until interrupted").isTrue();
            watcher.destroy();

            // Later, the same events again: those after the first heard.
            watcher = start(List.of("events", "--json", "--job", id, "--after", ids.get(0)));
            BlockingQueue<String> again = lines(watcher.getInputStream());
            for (String expected : ids.subList(1, ids.size())) {
                String line = again.poll(60, TimeUnit.SECONDS);
                assertThat(line).as("the event after %s", ids).isNotNull();
                assertThat(JSON.readTree(line).get("id").asText()).isEqualTo(expected);
            }
        } finally {
            watcher.destroy();
        }
        Run unreachable = run(List.of("events", "--job", id, "--url", "http://127.0.0.1:1"), Map.of(), null);
        assertThat(unreachable.exit()).isEqualTo(4);
    }

    @Test
    void usageConnectionAndTokenErrorsHaveTheirExitCodes() throws Exception {
        Run usage = dray("ls", "--limit", "many");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("--limit");
        assertThat(dray("frobnicate").exit()).isEqualTo(2);
        assertThat(dray("submit", "/no/such/job.json").exit()).isEqualTo(2);
        Run badUrl = run(List.of("ls", "--url", "localhost:3000"), Map.of(), null);
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).contains("must be http://host:port");

        Run unreachable = run(List.of("ls", "--url", "http://127.0.0.1:1"), Map.of(), null);
        assertThat(unreachable.exit()).isEqualTo(4);
        assertThat(unreachable.err()).contains("cannot connect to http://127.0.0.1:1");

        String wrongToken = "wrong-" + UUID.randomUUID();
        Run refused = run(List.of("ls", "--token", wrongToken), Map.of(), null);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("missing or invalid API token").contains("(401)").doesNotContain(wrongToken);
        Run anonymous = run(List.of("ls"), Map.of("DRAY_TOKEN", ""), null);
        assertThat(anonymous.exit()).isEqualTo(2);
        // The configured token is never shown, whatever happens.
        for (Run run : List.of(usage, unreachable, refused, anonymous, dray("get", "no-such-job"))) {
            assertThat(run.out() + run.err()).doesNotContain(TOKEN);
        }
    }

    @Test
    void shellCompletionIsGenerated() throws Exception {
        Run completion = dray("generate-completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F", "submit", "events");
    }

    private static String write(String job) throws IOException {
        Path file = Files.createTempFile("dray-cli-job-", ".json");
        Files.writeString(file, job);
        return file.toString();
    }

    /** Runs {@code bin/dray} with DRAY_URL and DRAY_TOKEN set for this test's server. */
    private static Run dray(String... args) throws Exception {
        return run(List.of(args), Map.of(), null);
    }

    private static Run run(List<String> args, Map<String, String> environment, String stdin) throws Exception {
        Process process = start(args, environment);
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                out.add(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.add("");
            }
        });
        reader.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("dray %s ends", args).isTrue();
        reader.join();
        return new Run(process.exitValue(), out.take(), err);
    }

    private static Process start(List<String> args) throws IOException {
        return start(args, Map.of());
    }

    private static Process start(List<String> args, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(DRAY.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DRAY_URL", dray.url(""));
        builder.environment().put("DRAY_TOKEN", TOKEN);
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The lines of a stream, as they come, read on a thread of their own. */
    private static BlockingQueue<String> lines(java.io.InputStream stream) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The process was ended.
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
