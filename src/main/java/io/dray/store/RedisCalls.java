package io.dray.store;

import io.dray.core.StoreDataException;
import io.dray.core.StoreUnavailableException;
import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Translates Redis's failures into the core's: one that may pass (no connection, a Redis loading its data, a replica
 * not yet promoted) is {@link StoreUnavailableException}, worth trying again; an error Redis answered about the data
 * or a script is {@link StoreDataException}, which would fail again.
 */
final class RedisCalls {
    /**
     * Error replies that say Redis cannot serve now, not that the request is wrong; a missing or wrong password among
     * them, which the operator puts right without touching the jobs. Without a password, a command of more than 10
     * arguments gets the protocol error rather than NOAUTH.
     */
    private static final List<String> TRANSIENT = List.of("BUSY", "LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN",
            "CLUSTERDOWN", "NOREPLICAS", "OOM", "NOAUTH", "WRONGPASS", "ERR Protocol error: unauthenticated");

    private RedisCalls() {}

    static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisDataException e) {
            String message = String.valueOf(e.getMessage());
            if (TRANSIENT.stream().anyMatch(message::startsWith)) {
                throw new StoreUnavailableException("Redis is unavailable: " + message, e);
            }
            throw new StoreDataException("Redis refused the request: " + message, e);
        } catch (JedisException e) {
            throw new StoreUnavailableException("Redis is unavailable: " + e.getMessage(), e);
        }
    }
}
