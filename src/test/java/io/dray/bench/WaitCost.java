package io.dray.bench;

import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.OutputChannel;
import io.dray.core.Step;
import io.dray.core.Stores;
import io.dray.store.RedisFactory;
import io.dray.store.RedisStores;
import io.dray.store.SecretCipher;
import io.dray.support.RedisServer;
import io.dropwizard.jackson.Jackson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * What {@code WAIT 1 100} after each write would cost Dray: jobs created (the enqueue script) and claimed (the claim
 * script, a state change) through Dray's own stores, on a Redis with one replica on loopback, one at a time, without
 * and then with a WAIT on the same connection (WAIT waits for the writes of its own connection only, hence a pool of
 * one). Both Redis servers are this driver's own, without persistence, so the figure is replication's alone.
 * Environment: WAIT_COST_JOBS (default 3000).
 */
public final class WaitCost {
    public static void main(String[] args) throws Exception {
        int jobs = Integer.parseInt(System.getenv().getOrDefault("WAIT_COST_JOBS", "3000"));
        try (RedisServer master = new RedisServer("--appendonly", "no")) {
            master.start();
            try (RedisServer replica = new RedisServer("--appendonly", "no",
                    "--replicaof", "127.0.0.1", Integer.toString(master.port()))) {
                replica.start();
                awaitReplica(master);
                RedisFactory factory = new RedisFactory();
                factory.setUrl(master.url());
                factory.setPoolSize(1);
                try (UnifiedJedis redis = factory.build()) {
                    measure(redis, factory, jobs, "without WAIT", false);
                    measure(redis, factory, jobs, "with WAIT 1 100", true);
                    measure(redis, factory, jobs, "without WAIT", false);
                    measure(redis, factory, jobs, "with WAIT 1 100", true);
                }
            }
        }
        System.exit(0);
    }

    private static void measure(UnifiedJedis redis, RedisFactory factory, int jobs, String label, boolean waits) {
        Stores stores = RedisStores.create(redis, factory.dedicatedConnections(redis),
                "dray-wait-" + UUID.randomUUID() + ":", Jackson.newObjectMapper(), new SecretCipher(new byte[32]),
                Clock.systemUTC());
        // WAIT answers after its timeout with the replicas that acknowledged so far: 0 is a write left unconfirmed.
        int[] unacknowledged = {0};
        Consumer<Object> replicated = ignored -> {
            if (waits && !Long.valueOf(1).equals(redis.sendCommand(Protocol.Command.WAIT, "1", "100"))) {
                unacknowledged[0]++;
            }
        };
        long[] creations = new long[jobs];
        for (int i = 0; i < jobs; i++) {
            Job job = job();
            long began = System.nanoTime();
            replicated.accept(stores.queue().enqueue(job, JobState.queued(job, Instant.now()), Integer.MAX_VALUE));
            creations[i] = System.nanoTime() - began;
        }
        long[] claims = new long[jobs];
        for (int i = 0; i < jobs; i++) {
            long began = System.nanoTime();
            replicated.accept(stores.queue().claimNext("wait-cost", Duration.ZERO).orElseThrow());
            claims[i] = System.nanoTime() - began;
        }
        System.out.printf("%-16s create: median %s, p99 %s; claim: median %s, p99 %s (%d jobs%s)%n", label,
                micros(creations, 50), micros(creations, 99), micros(claims, 50), micros(claims, 99), jobs,
                waits ? ", " + unacknowledged[0] + " writes unacknowledged after 100 ms" : "");
    }

    private static Job job() {
        Step step = new Step(null, "dray-example/sh", List.of(new EnvVar("SCRIPT", "sort | uniq")),
                OutputChannel.parse("stdout"), false, null, null, null, null, null);
        return new Job(UUID.randomUUID().toString(), "wait-cost", List.of(), List.of(step, step), null, null);
    }

    private static String micros(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1_000 + " µs";
    }

    private static void awaitReplica(RedisServer master) throws InterruptedException {
        try (Jedis jedis = new Jedis("127.0.0.1", master.port())) {
            for (int i = 0; i < 100; i++) {
                if (jedis.info("replication").contains("connected_slaves:1")
                        && jedis.info("replication").contains("state=online")) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the replica did not connect");
    }
}
