package io.dray;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.TestDocker;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A job's input far larger than Dray's heap, submitted as multipart: it reaches the first step byte for byte, through
 * a Dray process whose heap could not hold it, and leaves Redis once that step succeeded.
 */
class LargeInputIT {
    private static final String REDIS = System.getenv().getOrDefault("DRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INPUT_BYTES = 100 << 20;

    @BeforeAll
    static void buildImages() {
        TestDocker.buildImages();
    }

    @Test
    void aHundredMegabyteMultipartInputPassesThroughAHeapOfLessWithEveryByte(@TempDir Path directory) throws Exception {
        Path input = directory.resolve("input.bin");
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        try (OutputStream out = Files.newOutputStream(input)) {
            Random random = new Random(100);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < INPUT_BYTES / chunk.length; i++) {
                random.nextBytes(chunk);
                md5.update(chunk);
                out.write(chunk);
            }
        }
        String hash = HexFormat.of().formatHex(md5.digest());
        Path job = Files.writeString(directory.resolve("job.json"), DrayClient.scriptJob(
                "md5sum", "cat"));
        String prefix = "dray-test-" + UUID.randomUUID() + ":";
        // A heap of 80 MB: had Dray held the input in memory, the submission would fail with an OutOfMemoryError.
        try (DrayProcess dray = DrayProcess.start(REDIS, prefix, "unix:///var/run/docker.sock", Map.of("workers", "1"),
                        "security:\n  maxInputSize: 128MiB\n", List.of("-Xmx80m"));
                RedisClient redis = RedisClient.create(java.net.URI.create(REDIS))) {
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
                    "-F", "job=@" + job + ";type=application/json", "-F", "input=@" + input, dray.url("/jobs")));
            Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(out).isZero();
            assertThat(out).as(dray.log()).endsWith("\n201");
            String id = JSON.readTree(out.substring(0, out.lastIndexOf('\n'))).get("id").asText();

            DrayClient client = new DrayClient(dray.url(""));
            JsonNode status = client.awaitFinished(id, Duration.ofSeconds(120));

            assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("complete");
            assertThat(client.log(id)).containsExactly(hash + "  -", hash + "  -");
            assertThat(redis.exists(prefix + "job:" + id + ":input")).as("the input left Redis").isFalse();
            assertThat(dray.log()).doesNotContain("OutOfMemoryError");
            TestDocker.awaitNoContainersOf(id);
        }
    }
}
