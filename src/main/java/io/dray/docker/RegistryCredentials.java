package io.dray.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.AuthConfig;
import io.dray.core.LoggedSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The logins Dray pulls images with, by registry: those of {@code docker.registries} in config.yml, and the
 * {@code auths} of Docker's config.json ({@code DOCKER_CONFIG}); config.yml's win for the same registry. A registry
 * is named as Docker names it: {@code host[:port]}, with {@code docker.io}, {@code index.docker.io} and
 * {@code https://index.docker.io/v1/} all meaning Docker Hub. Credential helpers ({@code credsStore},
 * {@code credHelpers}) are not run. Nothing here prints a password: {@link #toString} names registries and where
 * their logins come from.
 */
public final class RegistryCredentials {
    static final String DOCKER_HUB = "docker.io";
    /** What Docker's CLI sends as the server address of a Docker Hub login. */
    private static final String DOCKER_HUB_ADDRESS = "https://index.docker.io/v1/";
    private static final Set<String> DOCKER_HUB_NAMES = Set.of("docker.io", "index.docker.io");
    private static final String CONFIGURED = "docker.registries";
    /** How the engine reports a registry that wants credentials (none sent) or refused those sent. */
    private static final Pattern REFUSED = Pattern.compile(
            "no basic auth credentials|unauthorized|authentication required", Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A registry's login, and where Dray found it: {@code docker.registries} or a config.json's path. */
    record Login(String username, String password, String source) {
        @Override
        public String toString() {
            return "Login{username=" + username + ", password=****, source=" + source + "}";
        }
    }

    private final Map<String, Login> logins;
    private final List<String> warnings;

    private RegistryCredentials(Map<String, Login> logins, List<String> warnings) {
        this.logins = Map.copyOf(logins);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads every login once, at start-up: a password file or config.json that cannot be read stops Dray with a
     * message that names it, rather than failing pulls later.
     *
     * @param dockerConfig {@code DOCKER_CONFIG}: config.json, or the directory that holds it; empty means
     *     {@code <home>/.docker}, as for Docker's CLI, which may be absent
     * @throws IllegalArgumentException naming what is wrong, and never a password
     */
    static RegistryCredentials load(List<RegistryLogin> configured, String dockerConfig, Path home) {
        Map<String, Login> logins = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Path file = configFile(dockerConfig, home, warnings);
        if (file != null) {
            String json;
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the Docker config " + file + " (DOCKER_CONFIG): " + e,
                        e);
            }
            DockerConfigAuths read = readDockerConfig(json, file.toString());
            logins.putAll(read.logins());
            warnings.addAll(read.warnings());
        }
        Set<String> seen = new TreeSet<>();
        for (RegistryLogin login : configured) {
            String registry = registryKey(login.getHost());
            if (!seen.add(registry)) {
                throw new IllegalArgumentException(CONFIGURED + " lists " + login.getHost() + " twice");
            }
            logins.put(registry, new Login(login.getUsername(), password(login), CONFIGURED));
        }
        // The log never shows them, nor the base64 form config.json and docker-java's requests carry them in.
        LoggedSecrets.hold(logins.values().stream()
                .flatMap(l -> Stream.of(l.password(), Base64.getEncoder().encodeToString(
                        (l.username() + ":" + l.password()).getBytes(StandardCharsets.UTF_8))))
                .toList());
        return new RegistryCredentials(logins, warnings);
    }

    private static Path configFile(String dockerConfig, Path home, List<String> warnings) {
        if (dockerConfig == null || dockerConfig.isBlank()) {
            Path usual = home.resolve(".docker").resolve("config.json");
            return Files.isRegularFile(usual) ? usual : null;
        }
        Path given = Path.of(dockerConfig.trim());
        if (Files.isDirectory(given)) {
            Path file = given.resolve("config.json");
            if (Files.isRegularFile(file)) {
                return file;
            }
            warnings.add("DOCKER_CONFIG " + given + " holds no config.json: pulls use only docker.registries");
            return null;
        }
        if (!Files.exists(given)) {
            throw new IllegalArgumentException("DOCKER_CONFIG " + given + " does not exist: it names Docker's"
                    + " config.json or the directory that holds it");
        }
        return given;
    }

    private static String password(RegistryLogin login) {
        if (login.getPasswordFile().isBlank()) {
            return login.getPassword();
        }
        Path file = Path.of(login.getPasswordFile().trim());
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the passwordFile of " + login.getHost() + " in "
                    + CONFIGURED + ": " + e, e);
        }
        // A file written by echo or an editor ends with a line break that is not part of the password.
        password = password.replaceFirst("[\r\n]+$", "");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the passwordFile " + file + " of " + login.getHost() + " in "
                    + CONFIGURED + " is empty");
        }
        return password;
    }

    /** The logins of a config.json's {@code auths}, and what Dray cannot use in it, said without a secret. */
    record DockerConfigAuths(Map<String, Login> logins, List<String> warnings) {}

    /**
     * Reads Docker's config.json as Docker's CLI does: an {@code auth} (base64 of {@code user:password}) wins over
     * {@code username} and {@code password}.
     *
     * @param source the file's name, for messages and as the logins' source
     * @throws IllegalArgumentException if it is not a config.json; the message never quotes the file's content
     */
    static DockerConfigAuths readDockerConfig(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the text around the error, which may be a password.
            throw new IllegalArgumentException("the Docker config " + source + " (DOCKER_CONFIG) is not valid JSON"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the Docker config " + source + " (DOCKER_CONFIG) is not a JSON object");
        }
        Map<String, Login> logins = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Set<String> unusable = new TreeSet<>();
        JsonNode auths = root.path("auths");
        if (!auths.isMissingNode() && !auths.isObject()) {
            throw new IllegalArgumentException("the Docker config " + source
                    + " (DOCKER_CONFIG): auths is not an object");
        }
        for (Map.Entry<String, JsonNode> entry : auths.properties()) {
            Login login = login(entry.getKey(), entry.getValue(), source);
            if (login == null) {
                unusable.add(entry.getKey());
            } else {
                logins.put(registryKey(entry.getKey()), login);
            }
        }
        List<String> helpers = new ArrayList<>();
        if (root.path("credsStore").isTextual() && !root.path("credsStore").asText().isBlank()) {
            helpers.add("credsStore \"" + root.path("credsStore").asText() + "\"");
        }
        if (root.path("credHelpers").isObject() && !root.path("credHelpers").isEmpty()) {
            Set<String> hosts = new TreeSet<>();
            root.path("credHelpers").fieldNames().forEachRemaining(hosts::add);
            helpers.add("credHelpers for " + String.join(", ", hosts));
        }
        if (!helpers.isEmpty()) {
            warnings.add(source + " names credential helpers (" + String.join("; ", helpers) + "), which Dray does"
                    + " not run: pulls from the registries whose logins they keep go without credentials unless"
                    + " docker.registries has them");
        }
        if (!unusable.isEmpty()) {
            warnings.add(source + " has no user and password for " + String.join(", ", unusable)
                    + ": pulls from them go without credentials unless docker.registries has them");
        }
        return new DockerConfigAuths(logins, warnings);
    }

    /** The entry's login, or null if it holds none Dray can use (empty, as a credential helper leaves it). */
    private static Login login(String registry, JsonNode entry, String source) {
        String auth = entry.path("auth").asText("");
        if (!auth.isBlank()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the auth of " + registry + " in " + source
                        + " (DOCKER_CONFIG) is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the auth of " + registry + " in " + source
                        + " (DOCKER_CONFIG) is not the base64 of user:password");
            }
            // Docker's CLI trims NULs off the password the same way.
            return new Login(decoded.substring(0, colon), decoded.substring(colon + 1).replaceAll("^\0+|\0+$", ""),
                    source);
        }
        String username = entry.path("username").asText("");
        String password = entry.path("password").asText("");
        return username.isEmpty() || password.isEmpty() ? null : new Login(username, password, source);
    }

    /**
     * A registry's name as a key: without scheme or path ({@code https://host:port/v1/} is {@code host:port}), in
     * lower case, Docker Hub's names all {@code docker.io}.
     */
    static String registryKey(String address) {
        String host = address.trim();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        host = host.toLowerCase(Locale.ROOT);
        return DOCKER_HUB_NAMES.contains(host) ? DOCKER_HUB : host;
    }

    /** What to send with a pull of the image (as X-Registry-Auth), or null: Dray has no login for its registry. */
    AuthConfig authFor(ImageReference image) {
        String registry = registryKey(image.registry());
        Login login = logins.get(registry);
        if (login == null) {
            return null;
        }
        return new AuthConfig()
                .withUsername(login.username())
                .withPassword(login.password())
                .withRegistryAddress(registry.equals(DOCKER_HUB) ? DOCKER_HUB_ADDRESS : registry);
    }

    /**
     * Why a pull of the image failed, in Dray's words when the registry wanted credentials (say which: none, or
     * refused), otherwise the engine's message as it is.
     */
    String explainPullFailure(ImageReference image, String engineMessage) {
        if (engineMessage == null || !REFUSED.matcher(engineMessage).find()) {
            return engineMessage;
        }
        Login login = logins.get(registryKey(image.registry()));
        return login == null
                ? "the registry " + image.registry() + " asks for credentials and Dray has none for it"
                        + " (docker.registries or DOCKER_CONFIG)"
                : "the registry " + image.registry() + " refused the credentials Dray has for it (from "
                        + login.source() + ")";
    }

    /** What in the configured sources Dray cannot use, said once at start-up. */
    List<String> warnings() {
        return warnings;
    }

    boolean isEmpty() {
        return logins.isEmpty();
    }

    /** The registries Dray has logins for, and where each comes from. */
    @Override
    public String toString() {
        return logins.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " (" + e.getValue().source() + ")")
                .collect(Collectors.joining(", "));
    }
}
