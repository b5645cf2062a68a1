package io.dray.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua scripts under {@code io/dray/store/}, each an operation Redis runs atomically. Called by their SHA, so that
 * a call sends the arguments and not the script; a Redis that does not know a script (restarted, flushed) is sent it
 * once more.
 */
final class RedisScripts {
    private final UnifiedJedis redis;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();

    private record Script(String source, String sha) {}

    RedisScripts(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Runs script {@code name}; Redis errors are translated by {@link RedisCalls}. */
    Object run(String name, List<String> keys, List<String> args) {
        Script script = scripts.computeIfAbsent(name, RedisScripts::load);
        return RedisCalls.call(() -> {
            try {
                return redis.evalsha(script.sha(), keys, args);
            } catch (JedisNoScriptException e) {
                redis.scriptLoad(script.source());
                return redis.evalsha(script.sha(), keys, args);
            }
        });
    }

    /** Runs script {@code name} on binary arguments (a chunk of a job's input). */
    Object runBinary(String name, List<byte[]> keys, List<byte[]> args) {
        Script script = scripts.computeIfAbsent(name, RedisScripts::load);
        byte[] sha = script.sha().getBytes(StandardCharsets.UTF_8);
        return RedisCalls.call(() -> {
            try {
                return redis.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                redis.scriptLoad(script.source());
                return redis.evalsha(sha, keys, args);
            }
        });
    }

    private static Script load(String name) {
        String path = "/io/dray/store/" + name + ".lua";
        try (InputStream in = RedisScripts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no script " + path);
            }
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Script(source, HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
