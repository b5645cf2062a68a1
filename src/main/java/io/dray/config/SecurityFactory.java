package io.dray.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dray.core.ImageAllowList;
import io.dropwizard.util.DataSize;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Who may use the API, how secrets are kept, which images may run, how big a request may be: {@code security:}. The
 * text settings come from environment variables that may be unset, which YAML reads as null: null means empty.
 */
public class SecurityFactory {
    /** API tokens, comma-separated (env DRAY_API_TOKENS). None, and no tokens file: the API is open. */
    private String apiTokens = "";

    /** A file of SHA-256 hashes (hex) of API tokens, one per line (env DRAY_API_TOKENS_FILE). */
    private String apiTokensFile = "";

    /** Base64 AES key (16, 24 or 32 bytes) that encrypts secret variables in Redis (env DRAY_SECRET_KEY). */
    private String secretKey = "";

    /** Glob patterns of the images jobs may run, comma-separated (env DRAY_ALLOWED_IMAGES). None: any image. */
    private String allowedImages = "";

    @NotNull
    private DataSize maxRequestSize = DataSize.mebibytes(1);

    /**
     * The largest input a job may give its first step in a multipart submission (a JSON one's is within
     * {@link #maxRequestSize}). It is kept in Redis until that step succeeded.
     */
    @NotNull
    private DataSize maxInputSize = DataSize.mebibytes(256);

    @Min(1)
    private int maxSteps = 100;

    /** Of the job and all its steps together. */
    @Min(0)
    private int maxEnvironmentVariables = 200;

    @Min(1)
    private int maxValueLength = 64 * 1024;

    /** The most log lines one {@code GET /jobs/{id}/log} answers; clients page on with {@code index}. */
    @Min(1)
    private int maxLogLines = 10_000;

    @JsonProperty
    public String getApiTokens() {
        return apiTokens;
    }

    @JsonProperty
    public void setApiTokens(String apiTokens) {
        this.apiTokens = apiTokens == null ? "" : apiTokens;
    }

    @JsonProperty
    public String getApiTokensFile() {
        return apiTokensFile;
    }

    @JsonProperty
    public void setApiTokensFile(String apiTokensFile) {
        this.apiTokensFile = apiTokensFile == null ? "" : apiTokensFile;
    }

    @JsonProperty
    public String getSecretKey() {
        return secretKey;
    }

    @JsonProperty
    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey == null ? "" : secretKey;
    }

    @JsonProperty
    public String getAllowedImages() {
        return allowedImages;
    }

    @JsonProperty
    public void setAllowedImages(String allowedImages) {
        this.allowedImages = allowedImages == null ? "" : allowedImages;
    }

    @JsonProperty
    public DataSize getMaxInputSize() {
        return maxInputSize;
    }

    @JsonProperty
    public void setMaxInputSize(DataSize maxInputSize) {
        this.maxInputSize = maxInputSize;
    }

    @JsonProperty
    public DataSize getMaxRequestSize() {
        return maxRequestSize;
    }

    @JsonProperty
    public void setMaxRequestSize(DataSize maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    @JsonProperty
    public int getMaxSteps() {
        return maxSteps;
    }

    @JsonProperty
    public void setMaxSteps(int maxSteps) {
        this.maxSteps = maxSteps;
    }

    @JsonProperty
    public int getMaxEnvironmentVariables() {
        return maxEnvironmentVariables;
    }

    @JsonProperty
    public void setMaxEnvironmentVariables(int maxEnvironmentVariables) {
        this.maxEnvironmentVariables = maxEnvironmentVariables;
    }

    @JsonProperty
    public int getMaxValueLength() {
        return maxValueLength;
    }

    @JsonProperty
    public void setMaxValueLength(int maxValueLength) {
        this.maxValueLength = maxValueLength;
    }

    @JsonProperty
    public int getMaxLogLines() {
        return maxLogLines;
    }

    @JsonProperty
    public void setMaxLogLines(int maxLogLines) {
        this.maxLogLines = maxLogLines;
    }

    /** SHA-256 hashes of every accepted token: from {@code apiTokens}, hashed here, and from {@code apiTokensFile}. */
    public List<byte[]> apiTokenHashes() {
        List<byte[]> hashes = new ArrayList<>();
        for (String token : commaSeparated(apiTokens)) {
            hashes.add(sha256(token));
        }
        if (!apiTokensFile.isBlank()) {
            try {
                for (String line : Files.readAllLines(Path.of(apiTokensFile.trim()), StandardCharsets.UTF_8)) {
                    String hash = line.trim();
                    if (!hash.isEmpty() && !hash.startsWith("#")) {
                        hashes.add(HexFormat.of().parseHex(hash.replaceFirst("^sha256:", "")));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read security.apiTokensFile " + apiTokensFile, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("security.apiTokensFile must hold hex SHA-256 hashes, one per line", e);
            }
        }
        return hashes;
    }

    /** The configured key, or a random one for this process only (then a job's secrets die with the process). */
    public byte[] secretKeyBytes() {
        if (secretKey.isBlank()) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return key;
        }
        return Base64.getDecoder().decode(secretKey.trim());
    }

    /** The configured values that no log may show: the API tokens and the secret key. */
    public List<String> secretValues() {
        List<String> values = new ArrayList<>(commaSeparated(apiTokens));
        values.add(secretKey.trim());
        return values;
    }

    public boolean hasSecretKey() {
        return !secretKey.isBlank();
    }

    public ImageAllowList imageAllowList() {
        return new ImageAllowList(commaSeparated(allowedImages));
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> commaSeparated(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
