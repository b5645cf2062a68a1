package io.dray.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dray.support.AuthRegistry;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisValues;
import io.dray.support.TestDocker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a registry that asks for a user and password (a docker-registry of the test's own), by a real Dray
 * process at LOG_LEVEL=debug for each way of giving it credentials: none, {@code docker.registries} with a password
 * or a password file, {@code DOCKER_CONFIG} as a directory or a file. After each test the password is looked for, as
 * it is and in base64 (as config.json's auth and X-Registry-Auth carry it), in Dray's output, in every answer Dray
 * gave and in every Redis key and value under the test's prefix.
 */
class RegistryAuthIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "dray-puller";
    private static final String PASSWORD = "pw" + UUID.randomUUID().toString().replace("-", "");
    private static final String WRONG_PASSWORD = "wrong" + UUID.randomUUID().toString().replace("-", "");
    private static AuthRegistry registry;
    /** In the registry only: each test begins without it locally. */
    private static String image;

    @TempDir
    Path files;
    private String prefix;
    private DrayProcess dray;
    private DrayClient client;
    private final List<String> answers = new ArrayList<>();

    @BeforeAll
    static void startRegistry() throws Exception {
        TestDocker.buildImages();
        registry = AuthRegistry.start(USER, PASSWORD);
        image = registry.address() + "/dray-test/private-" + UUID.randomUUID().toString().substring(0, 8) + ":latest";
        registry.pushScript(image, "echo pulled with credentials");
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        TestDocker.removeImage(image);
        registry.close();
    }

    @BeforeEach
    void withoutTheImage() {
        TestDocker.removeImage(image);
        prefix = "dray-test-" + UUID.randomUUID() + ":";
    }

    @AfterEach
    void noPasswordAnywhere() throws Exception {
        if (dray == null) {
            return;
        }
        try {
            String log = dray.log();
            assertThat(log).as("Dray logs at DEBUG (the libraries that would show secrets stay at INFO)")
                    .contains("DEBUG [");
            List<String> redis = RedisValues.under(REDIS, prefix);
            assertThat(answers).isNotEmpty();
            assertThat(redis).isNotEmpty();
            for (String secret : List.of(PASSWORD, WRONG_PASSWORD)) {
                for (String form : forms(secret)) {
                    assertThat(log).as("Dray's output").doesNotContain(form);
                    assertThat(answers).as("Dray's answers").noneMatch(answer -> answer.contains(form));
                    assertThat(redis).as("Redis").noneMatch(value -> value.contains(form));
                }
            }
        } finally {
            dray.close();
            TestDocker.removeImage(image);
        }
    }

    @Test
    void withoutCredentialsTheStepFailsSayingTheRegistryAsksForThem() throws Exception {
        startDray("", Map.of());
        String refused = "cannot pull image " + image + ": the registry " + registry.address()
                + " asks for credentials and Dray has none for it (docker.registries or DOCKER_CONFIG)";
        JsonNode end = run(image, false);
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText()).isEqualTo("step 1 (private) could not run: " + refused);

        TestDocker.buildScript(image, "echo local copy");
        assertThat(run(image, false).get("status").asText()).as("the local image runs without a pull").isEqualTo("complete");
        JsonNode refresh = run(image, true);
        assertThat(refresh.get("error").asText()).as("refresh pulls, and is refused")
                .isEqualTo("step 1 (private) could not run: " + refused);
    }

    @Test
    void aPasswordInDockerRegistriesPullsTheImage() throws Exception {
        startDray(registries("password: \"" + PASSWORD + "\""), Map.of());
        assertPulled();
        assertThat(dray.log()).contains("registry logins for pulls: " + registry.address() + " (docker.registries)");
    }

    @Test
    void aPasswordFileInDockerRegistriesPullsTheImage() throws Exception {
        Path passwordFile = Files.writeString(files.resolve("registry-password"), PASSWORD + "\n");
        startDray(registries("passwordFile: \"" + passwordFile + "\""), Map.of());
        assertPulled();
    }

    @Test
    void aDockerConfigDirectoryPullsTheImage() throws Exception {
        Path dockerConfig = Files.createDirectory(files.resolve("docker"));
        registry.login(dockerConfig);
        startDray("", Map.of("DOCKER_CONFIG", dockerConfig.toString()));
        assertPulled();
        assertThat(dray.log()).contains("registry logins for pulls: " + registry.address() + " (" + dockerConfig.resolve("config.json") + ")");
    }

    @Test
    void aDockerConfigFilePullsTheImageAndItsCredentialHelpersAreNamedOnce() throws Exception {
        Path login = Files.createDirectory(files.resolve("docker"));
        registry.login(login);
        ObjectNode config = (ObjectNode) JSON.readTree(login.resolve("config.json").toFile());
        config.putObject("credHelpers").put("gcr.io", "gcloud");
        Path file = files.resolve("registry-auth.json");
        JSON.writeValue(file.toFile(), config);
        startDray("", Map.of("DOCKER_CONFIG", file.toString()));
        assertPulled();
        assertThat(Pattern.compile(Pattern.quote(file + " names credential helpers (credHelpers for gcr.io), which Dray"
                + " does not run")).matcher(dray.log()).results().count()).isEqualTo(1);
    }

    @Test
    void refreshPullsTheNewerImageWithCredentials() throws Exception {
        String refreshed = registry.address() + "/dray-test/refreshed-" + UUID.randomUUID().toString().substring(0, 8)
                + ":latest";
        String keep = "dray-test/keep-" + UUID.randomUUID().toString().substring(0, 8) + ":latest";
        List<String> pulled = new ArrayList<>();
        try {
            registry.pushScript(refreshed, "echo first version");
            startDray(registries("password: \"" + PASSWORD + "\""), Map.of());
            assertThat(log(run(refreshed, false))).containsExactly("first version");
            pulled.add(TestDocker.imageId(refreshed));
            TestDocker.docker("tag", refreshed, keep);
            registry.pushScript(refreshed, "echo second version");
            TestDocker.docker("tag", keep, refreshed);

            assertThat(log(run(refreshed, false))).as("without refresh the local image runs").containsExactly("first version");
            assertThat(log(run(refreshed, true))).containsExactly("second version");
            pulled.add(TestDocker.imageId(refreshed));
        } finally {
            TestDocker.removeImage(refreshed);
            TestDocker.removeImage(keep);
            // A pulled image is also known by its digest: without its tags it stays until removed by id.
            pulled.forEach(TestDocker::removeImage);
        }
    }

    @Test
    void credentialsTheRegistryRefusesFailTheStepSayingWhereTheyCameFrom() throws Exception {
        startDray(registries("password: \"" + WRONG_PASSWORD + "\""), Map.of());
        JsonNode end = run(image, false);
        assertThat(end.get("status").asText()).isEqualTo("error");
        assertThat(end.get("error").asText()).isEqualTo("step 1 (private) could not run: cannot pull image " + image
                + ": the registry " + registry.address() + " refused the credentials Dray has for it (from docker.registries)");
    }

    @Test
    void dockerRegistriesWinOverDockerConfigForTheSameRegistry() throws Exception {
        Path file = Files.writeString(files.resolve("config.json"), "{\"auths\": {\"" + registry.address()
                + "\": {\"auth\": \"" + Base64.getEncoder().encodeToString((USER + ":" + WRONG_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        startDray(registries("password: \"" + PASSWORD + "\""), Map.of("DOCKER_CONFIG", file.toString()));
        assertPulled();
    }

    private String registries(String password) {
        return "  registries:\n    - {host: \"" + registry.address() + "\", username: " + USER + ", " + password + "}\n";
    }

    /**
     * A Dray at LOG_LEVEL=debug, reading DOCKER_CONFIG as config.yml does, with a home of its own: no
     * ~/.docker/config.json but the test's.
     */
    private void startDray(String moreDocker, Map<String, String> environment) throws Exception {
        Map<String, String> env = new HashMap<>(environment);
        env.put("LOG_LEVEL", "debug");
        Path home = Files.createDirectory(files.resolve("home"));
        dray = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock",
                Map.of("dataDirectory", Files.createDirectory(files.resolve("data")).toString()), "",
                List.of("-Duser.home=" + home), "  config: ${DOCKER_CONFIG:-}\n" + moreDocker, env);
        client = new DrayClient(dray.url(""));
    }

    private void assertPulled() throws Exception {
        JsonNode end = run(image, false);
        assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("complete");
        assertThat(log(end)).containsExactly("pulled with credentials");
        assertThat(TestDocker.imageExists(image)).isTrue();
    }

    /** Runs a one-step job named "private" to its end; every answer is kept to be searched for the password. */
    private JsonNode run(String source, boolean refresh) throws Exception {
        String job = JSON.writeValueAsString(Map.of("name", "registry-auth",
                "steps", List.of(Map.of("name", "private", "source", source, "refresh", refresh))));
        HttpResponse<String> created = client.post("/jobs", HttpRequest.BodyPublishers.ofString(job));
        answers.add(created.body());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asText();
        client.awaitFinished(id, Duration.ofSeconds(60));
        TestDocker.awaitNoContainersOf(id);
        answers.add(client.get("/jobs").body());
        answers.add(client.get("/jobs/" + id + "/log").body());
        String status = client.get("/jobs/" + id).body();
        answers.add(status);
        return JSON.readTree(status);
    }

    private List<String> log(JsonNode job) throws Exception {
        return client.log(job.get("id").asText());
    }

    /**
     * The secret, and what stands for it inside any base64 text that holds it (standard or URL alphabet, at each of
     * the three alignments): the characters that depend on its bytes alone.
     */
    private static List<String> forms(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>(List.of(secret));
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + bytes.length];
            System.arraycopy(bytes, 0, shifted, offset, bytes.length);
            for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                String text = encoder.encodeToString(shifted);
                int first = -1;
                int last = -1;
                for (int c = 0; c < text.length(); c++) {
                    // Character c of a group encodes bits of byte 3g + c%4 - 1 (none below 0) and 3g + c%4 (none above 2).
                    int group = c / 4;
                    int position = c % 4;
                    int low = 3 * group + Math.max(0, position - 1);
                    int high = 3 * group + Math.min(2, position);
                    if (low >= offset && high < offset + bytes.length) {
                        first = first < 0 ? c : first;
                        last = c;
                    }
                }
                forms.add(text.substring(first, last + 1));
            }
        }
        return forms;
    }
}
