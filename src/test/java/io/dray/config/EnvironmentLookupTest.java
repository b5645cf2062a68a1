package io.dray.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EnvironmentLookupTest {
    private static String resolve(Map<String, String> env, String text) {
        return new EnvironmentLookup(env).substitutor().replace(text);
    }

    @ParameterizedTest
    @CsvSource({"panic, ERROR", "FATAL, ERROR", "error, ERROR", "Warn, WARN", "info, INFO", "DEBUG, DEBUG"})
    void theOriginalsLogLevelsAreUnderstoodInAnyCase(String value, String level) {
        assertThat(resolve(Map.of("LOG_LEVEL", value), "${LOG_LEVEL:-INFO}")).isEqualTo(level);
    }

    @Test
    void anInvalidLogLevelKeepsTheDefaultAndIsReported() {
        EnvironmentLookup lookup = new EnvironmentLookup(Map.of("LOG_LEVEL", "loud"));
        assertThat(lookup.substitutor().replace("${LOG_LEVEL:-WARN}")).isEqualTo("WARN");
        assertThat(lookup.invalidLogLevel()).contains("loud");
        assertThat(new EnvironmentLookup(Map.of("LOG_LEVEL", "debug")).invalidLogLevel()).isEmpty();
    }

    @Test
    void redisUrlWinsOverTheDockerLinkVariable() {
        Map<String, String> env = Map.of("REDIS_URL", "redis://cache:7000", "REDIS_PORT", "tcp://172.17.0.5:6379");
        assertThat(resolve(env, "${REDIS_URL:-redis://127.0.0.1:6379}")).isEqualTo("redis://cache:7000");
    }

    @Test
    void aDockerLinkGivesTheRedisAddressWhenRedisUrlIsUnset() {
        Map<String, String> env = Map.of("REDIS_PORT", "tcp://172.17.0.5:6380");
        assertThat(resolve(env, "${REDIS_URL:-redis://127.0.0.1:6379}")).isEqualTo("redis://172.17.0.5:6380");
    }

    @Test
    void withNeitherTheDefaultApplies() {
        assertThat(resolve(Map.of("REDIS_PORT", "6379"), "${REDIS_URL:-redis://127.0.0.1:6379}"))
                .isEqualTo("redis://127.0.0.1:6379");
        assertThat(resolve(Map.of("DRAY_PORT", "4000"), "${DRAY_PORT:-3000} ${DRAY_WORKERS:-4}")).isEqualTo("4000 4");
    }
}
