package io.dray.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.AuthConfig;
import io.dropwizard.jersey.validation.Validators;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryCredentialsTest {
    private static final String SECRET = "pa55:w0rd-9f3e";

    @TempDir
    Path home;

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String authsOf(String registry, String user, String password) {
        return "{\"auths\": {\"" + registry + "\": {\"auth\": \"" + base64(user + ":" + password) + "\"}}}";
    }

    private RegistryCredentials fromConfigJson(String json) throws Exception {
        Path file = Files.writeString(home.resolve("config.json"), json);
        return RegistryCredentials.load(List.of(), file.toString(), home);
    }

    private static RegistryLogin login(String host, String username, String password, String passwordFile) {
        RegistryLogin login = new RegistryLogin();
        login.setHost(host);
        login.setUsername(username);
        login.setPassword(password);
        login.setPasswordFile(passwordFile);
        return login;
    }

    private static ImageReference image(String source) {
        return ImageReference.parse(source);
    }

    @ParameterizedTest
    @CsvSource({
        "docker.io, docker.io",
        "index.docker.io, docker.io",
        "https://index.docker.io/v1/, docker.io",
        "http://index.docker.io, docker.io",
        "127.0.0.1:5001, 127.0.0.1:5001",
        "http://127.0.0.1:5001/v2/, 127.0.0.1:5001",
        "Registry.Example.com, registry.example.com",
        "registry.example.com:443, registry.example.com:443",
        "localhost:5000, localhost:5000",
    })
    void aRegistryIsKeyedByItsHostAndPortWithDockerHubsNamesAsOne(String address, String key) {
        assertThat(RegistryCredentials.registryKey(address)).isEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource({
        "busybox, docker.io",
        "library/busybox:1.36, docker.io",
        "dray-example/sh, docker.io",
        "index.docker.io/library/busybox, index.docker.io",
        "127.0.0.1:5001/dray/x:v2, 127.0.0.1:5001",
        "localhost/x, localhost",
        "registry.example.com/team/app, registry.example.com",
    })
    void anImagesRegistryIsItsFirstComponentOnlyWhenThatLooksLikeAHost(String source, String registry) {
        assertThat(image(source).registry()).isEqualTo(registry);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://index.docker.io/v1/", "index.docker.io", "docker.io"})
    void aDockerHubImageUsesADockerHubLoginUnderAnyOfItsNames(String key) throws Exception {
        RegistryCredentials credentials = fromConfigJson(authsOf(key, "hubuser", SECRET));
        for (String source : List.of("busybox", "library/busybox:1.36", "someone/tool", "index.docker.io/someone/tool",
                "docker.io/someone/tool")) {
            AuthConfig auth = credentials.authFor(image(source));
            assertThat(auth).as(source).isNotNull();
            assertThat(auth.getUsername()).isEqualTo("hubuser");
            assertThat(auth.getPassword()).isEqualTo(SECRET);
            assertThat(auth.getRegistryAddress()).isEqualTo("https://index.docker.io/v1/");
        }
        assertThat(credentials.authFor(image("127.0.0.1:5001/someone/tool"))).isNull();
    }

    @Test
    void anotherRegistryNeedsALoginForItsExactHostAndPort() throws Exception {
        RegistryCredentials credentials = fromConfigJson(authsOf("127.0.0.1:5001", "alice", SECRET));
        AuthConfig auth = credentials.authFor(image("127.0.0.1:5001/dray/x"));
        assertThat(auth.getUsername()).isEqualTo("alice");
        assertThat(auth.getPassword()).isEqualTo(SECRET);
        assertThat(auth.getRegistryAddress()).isEqualTo("127.0.0.1:5001");
        assertThat(credentials.authFor(image("127.0.0.1:5000/dray/x"))).isNull();
        assertThat(credentials.authFor(image("localhost:5001/dray/x"))).isNull();
        assertThat(credentials.authFor(image("127.0.0.1/dray/x"))).isNull();
        assertThat(credentials.authFor(image("dray/x"))).isNull();
    }

    @Test
    void anAuthIsBase64OfUserColonPasswordAndWinsOverUsernameAndPassword() {
        var read = RegistryCredentials.readDockerConfig("""
                {"auths": {
                  "a.example.com": {"auth": "%s", "username": "other", "password": "other"},
                  "b.example.com": {"username": "bob", "password": "%s"},
                  "https://c.example.com/v1/": {"auth": "%s"}
                }}""".formatted(base64("alice:" + SECRET), SECRET, base64("carol:" + SECRET + "\0")), "/c/config.json");
        assertThat(read.logins()).containsOnlyKeys("a.example.com", "b.example.com", "c.example.com");
        assertThat(read.logins().get("a.example.com")).isEqualTo(new RegistryCredentials.Login("alice", SECRET, "/c/config.json"));
        assertThat(read.logins().get("b.example.com")).isEqualTo(new RegistryCredentials.Login("bob", SECRET, "/c/config.json"));
        assertThat(read.logins().get("c.example.com").password()).as("NULs trimmed as Docker does").isEqualTo(SECRET);
        assertThat(read.warnings()).isEmpty();
    }

    @Test
    void credentialHelpersAndEmptyEntriesAreNamedInWarningsWithoutASecret() {
        var read = RegistryCredentials.readDockerConfig("""
                {"auths": {
                  "helped.example.com": {},
                  "token.example.com": {"identitytoken": "%s"},
                  "ok.example.com": {"auth": "%s"}
                },
                "credsStore": "desktop",
                "credHelpers": {"gcr.io": "gcloud", "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}}"""
                .formatted(SECRET, base64("alice:" + SECRET)), "/c/config.json");
        assertThat(read.logins()).containsOnlyKeys("ok.example.com");
        assertThat(read.warnings()).containsExactly(
                "/c/config.json names credential helpers (credsStore \"desktop\"; credHelpers for"
                        + " 123.dkr.ecr.us-east-1.amazonaws.com, gcr.io), which Dray does not run: pulls from the"
                        + " registries whose logins they keep go without credentials unless docker.registries has them",
                "/c/config.json has no user and password for helped.example.com, token.example.com: pulls from them go"
                        + " without credentials unless docker.registries has them");
        assertThat(String.join("\n", read.warnings())).doesNotContain(SECRET).doesNotContain(base64("alice:" + SECRET));
    }

    @Test
    void anUnreadableConfigJsonIsRefusedWithoutQuotingIt() {
        // Jackson's own message would quote the unquoted password: "Unrecognized token 'pa55'".
        String broken = "{\"auths\": {\"a.example.com\": {\"username\": \"alice\", \"password\": " + SECRET + "}}}";
        assertThatThrownBy(() -> RegistryCredentials.readDockerConfig(broken, "/c/config.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the Docker config /c/config.json (DOCKER_CONFIG) is not valid JSON (line 1, column ")
                .hasMessageNotContaining(SECRET.substring(0, 4))
                .hasNoCause();
        assertThatThrownBy(() -> RegistryCredentials.readDockerConfig(
                "{\"auths\": {\"a.example.com\": {\"auth\": \"" + SECRET + "!\"}}}", "/c/config.json"))
                .hasMessage("the auth of a.example.com in /c/config.json (DOCKER_CONFIG) is not base64");
        assertThatThrownBy(() -> RegistryCredentials.readDockerConfig(
                "{\"auths\": {\"a.example.com\": {\"auth\": \"" + base64(SECRET.replace(":", "")) + "\"}}}", "/c/config.json"))
                .hasMessage("the auth of a.example.com in /c/config.json (DOCKER_CONFIG) is not the base64 of user:password");
        assertThatThrownBy(() -> RegistryCredentials.readDockerConfig("[]", "/c/config.json"))
                .hasMessage("the Docker config /c/config.json (DOCKER_CONFIG) is not a JSON object");
    }

    @Test
    void dockerConfigNamesTheFileOrTheDirectoryHoldingIt() throws Exception {
        Path dir = Files.createDirectory(home.resolve("docker"));
        Files.writeString(dir.resolve("config.json"), authsOf("127.0.0.1:5001", "alice", SECRET));
        Path file = Files.writeString(home.resolve("elsewhere.json"), authsOf("127.0.0.1:5001", "bob", SECRET));
        assertThat(RegistryCredentials.load(List.of(), dir.toString(), home).authFor(image("127.0.0.1:5001/x"))
                .getUsername()).isEqualTo("alice");
        assertThat(RegistryCredentials.load(List.of(), file.toString(), home).authFor(image("127.0.0.1:5001/x"))
                .getUsername()).isEqualTo("bob");
        assertThat(RegistryCredentials.load(List.of(), file.toString(), home).toString())
                .isEqualTo("127.0.0.1:5001 (" + file + ")");
    }

    @Test
    void withoutDockerConfigDockersUsualPlaceIsReadIfItIsThere() throws Exception {
        assertThat(RegistryCredentials.load(List.of(), "", home).isEmpty()).isTrue();
        assertThat(RegistryCredentials.load(List.of(), "", home).warnings()).isEmpty();
        Path usual = Files.createDirectories(home.resolve(".docker")).resolve("config.json");
        Files.writeString(usual, authsOf("127.0.0.1:5001", "alice", SECRET));
        assertThat(RegistryCredentials.load(List.of(), "", home).authFor(image("127.0.0.1:5001/x")).getUsername())
                .isEqualTo("alice");
    }

    @Test
    void aDockerConfigThatIsMissingStopsStartUpAndADirectoryWithoutConfigJsonIsWarnedAbout() throws Exception {
        assertThatThrownBy(() -> RegistryCredentials.load(List.of(), home.resolve("nope").toString(), home))
                .hasMessage("DOCKER_CONFIG " + home.resolve("nope") + " does not exist: it names Docker's config.json"
                        + " or the directory that holds it");
        RegistryCredentials empty = RegistryCredentials.load(List.of(), home.toString(), home);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.warnings()).containsExactly(
                "DOCKER_CONFIG " + home + " holds no config.json: pulls use only docker.registries");
    }

    @Test
    void configuredLoginsWinOverConfigJsonForTheSameRegistry() throws Exception {
        Path file = Files.writeString(home.resolve("config.json"), "{\"auths\": {"
                + "\"https://index.docker.io/v1/\": {\"auth\": \"" + base64("filehub:x") + "\"},"
                + "\"127.0.0.1:5001\": {\"auth\": \"" + base64("fileuser:x") + "\"}}}");
        RegistryCredentials credentials = RegistryCredentials.load(List.of(
                login("http://127.0.0.1:5001", "alice", SECRET, ""), login("docker.io", "hub", SECRET, "")),
                file.toString(), home);
        assertThat(credentials.authFor(image("127.0.0.1:5001/x")).getUsername()).isEqualTo("alice");
        assertThat(credentials.authFor(image("busybox")).getUsername()).isEqualTo("hub");
        assertThat(credentials.toString()).isEqualTo("127.0.0.1:5001 (docker.registries), docker.io (docker.registries)");
    }

    @Test
    void aPasswordFileIsReadWithoutItsLastLineBreak() throws Exception {
        Path file = Files.writeString(home.resolve("password"), SECRET + "\n");
        RegistryCredentials credentials = RegistryCredentials.load(
                List.of(login("127.0.0.1:5001", "alice", "", file.toString())), "", home);
        assertThat(credentials.authFor(image("127.0.0.1:5001/x")).getPassword()).isEqualTo(SECRET);
    }

    @Test
    void aPasswordFileThatCannotBeUsedStopsStartUpNamingIt() throws Exception {
        Path empty = Files.writeString(home.resolve("empty"), "\n");
        assertThatThrownBy(() -> RegistryCredentials.load(
                List.of(login("127.0.0.1:5001", "alice", "", empty.toString())), "", home))
                .hasMessage("the passwordFile " + empty + " of 127.0.0.1:5001 in docker.registries is empty");
        assertThatThrownBy(() -> RegistryCredentials.load(
                List.of(login("127.0.0.1:5001", "alice", "", home.resolve("nope").toString())), "", home))
                .hasMessageStartingWith("cannot read the passwordFile of 127.0.0.1:5001 in docker.registries:")
                .hasMessageContaining(home.resolve("nope").toString());
    }

    @Test
    void aRegistryListedTwiceStopsStartUp() {
        assertThatThrownBy(() -> RegistryCredentials.load(List.of(login("docker.io", "a", SECRET, ""),
                login("index.docker.io", "b", SECRET, "")), "", home))
                .hasMessage("docker.registries lists index.docker.io twice");
    }

    @Test
    void aLoginNeedsExactlyOneOfPasswordAndPasswordFile() {
        var validator = Validators.newValidator();
        assertThat(validator.validate(login("h", "u", SECRET, ""))).isEmpty();
        assertThat(validator.validate(login("h", "u", "", "/run/secrets/p"))).isEmpty();
        for (RegistryLogin wrong : List.of(login("h", "u", "", ""), login("h", "u", SECRET, "/run/secrets/p"))) {
            assertThat(validator.validate(wrong)).extracting(v -> v.getMessage())
                    .containsExactly("each login in docker.registries needs a password or a passwordFile, and not both");
        }
    }

    @Test
    void aPullTheRegistryRefusedSaysWhetherDrayHadCredentials() throws Exception {
        RegistryCredentials credentials = fromConfigJson(authsOf("127.0.0.1:5001", "alice", SECRET));
        assertThat(credentials.explainPullFailure(image("127.0.0.1:5002/x"),
                "Docker: Head \"http://127.0.0.1:5002/v2/x/manifests/latest\": no basic auth credentials"))
                .isEqualTo("the registry 127.0.0.1:5002 asks for credentials and Dray has none for it"
                        + " (docker.registries or DOCKER_CONFIG)");
        assertThat(credentials.explainPullFailure(image("127.0.0.1:5001/x"), "Docker: unauthorized: authentication required"))
                .isEqualTo("the registry 127.0.0.1:5001 refused the credentials Dray has for it (from "
                        + home.resolve("config.json") + ")");
        assertThat(credentials.explainPullFailure(image("127.0.0.1:5001/x"),
                "Docker: manifest for 127.0.0.1:5001/x:latest not found: manifest unknown"))
                .isEqualTo("Docker: manifest for 127.0.0.1:5001/x:latest not found: manifest unknown");
    }

    @Test
    void nothingPrintsAPassword() {
        RegistryLogin configured = login("127.0.0.1:5001", "alice", SECRET, "");
        RegistryCredentials credentials = RegistryCredentials.load(List.of(configured), "", home);
        assertThat(configured.toString()).isEqualTo("RegistryLogin{host=127.0.0.1:5001, username=alice, password=****}");
        assertThat(new RegistryCredentials.Login("alice", SECRET, "docker.registries").toString()).doesNotContain(SECRET);
        assertThat(credentials.toString()).isEqualTo("127.0.0.1:5001 (docker.registries)");
        assertThat(credentials.authFor(image("127.0.0.1:5001/x")).toString()).doesNotContain(SECRET);
    }
}
