package io.dray.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dray.support.DrayClient;
import io.dray.support.DrayProcess;
import io.dray.support.RedisSentinel;
import io.dray.support.RedisServer;
import io.dray.support.TestDocker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis's master is killed while 50 jobs run; three sentinels fail over to its replica, and Dray, which knows only
 * the sentinels, follows: every job ends complete, none is stuck, no container is left, and the API answers 503
 * only while the master is being switched.
 */
class SentinelFailoverIT {
    private static final String MASTER = "dray-master";

    @Test
    void aJobRunnerFollowsTheMasterThroughAFailoverAndLosesNoJob() throws Exception {
        TestDocker.buildImages();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            RedisServer master = new RedisServer();
            started.add(master);
            master.start();
            RedisServer replica = new RedisServer("--replicaof", "127.0.0.1", Integer.toString(master.port()));
            started.add(replica);
            replica.start();
            awaitReplicaInSync(master, replica);
            List<RedisSentinel> sentinels = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RedisSentinel sentinel = new RedisSentinel(MASTER, master.port(), Duration.ofMillis(1000));
                started.add(sentinel);
                sentinels.add(sentinel);
            }
            // A failover needs the sentinels to know each other and the replica: they learn it over a few seconds.
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try (Jedis sentinel = new Jedis("127.0.0.1", sentinels.get(0).port())) {
                    Map<String, String> known = sentinel.sentinelMaster(MASTER);
                    return "2".equals(known.get("num-other-sentinels")) && "1".equals(known.get("num-slaves"));
                }
            });

            String sentinelList = sentinels.stream().map(RedisSentinel::address).collect(Collectors.joining(","));
            DrayProcess dray = DrayProcess.start("redis://127.0.0.1:1", "dray-failover-" + UUID.randomUUID() + ":",
                    "unix:///var/run/docker.sock", Map.of("workers", "10"), "", List.of(), "",
                    Map.of("REDIS_SENTINELS", sentinelList, "REDIS_MASTER_NAME", MASTER));
            started.add(dray);
            DrayClient client = new DrayClient(dray.url(""));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ids.add(client.submit(DrayClient.scriptJob("sleep 3; echo done " + i)));
            }
            // What was acknowledged is on the replica before the kill: the test is of the switch, not of the writes
            // that asynchronous replication can lose (the README says what those are).
            awaitReplicaInSync(master, replica);

            List<Integer> answers = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean polling = new AtomicBoolean(true);
            Thread poller = new Thread(() -> {
                while (polling.get()) {
                    try {
                        answers.add(client.get("/jobs/" + ids.get(0)).statusCode());
                    } catch (Exception e) {
                        answers.add(-1);
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            poller.setDaemon(true);
            poller.start();
            started.add(() -> {
                polling.set(false);
                poller.interrupt();
            });
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.get("/jobs?status=running").body().contains("running"));
            master.kill();

            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try (Jedis sentinel = new Jedis("127.0.0.1", sentinels.get(1).port())) {
                    return sentinel.sentinelGetMasterAddrByName(MASTER).get(1).equals(Integer.toString(replica.port()));
                }
            });
            List<String> statuses = new ArrayList<>();
            for (String id : ids) {
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions() // a 503 while Dray finds the new master
                        .until(() -> !client.status(id).get("status").asText().matches("queued|running"));
                statuses.add(client.status(id).get("status").asText());
            }
            polling.set(false);
            poller.join();

            assertThat(Set.copyOf(statuses)).as("every job ends complete").containsExactly("complete");
            for (String id : ids) {
                assertThat(client.log(id)).as(id).contains("done " + ids.indexOf(id));
            }
            TestDocker.awaitNoContainersOf(ids);
            assertThat(answers).as("the API answers 200, or 503 while the master is switched").isNotEmpty()
                    .allMatch(status -> status == 200 || status == 503);
            assertThat(answers.get(answers.size() - 1)).isEqualTo(200);
            HttpResponse<String> health = new DrayClient(dray.adminUrl("")).get("/healthcheck");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        } finally {
            Collections.reverse(started);
            for (AutoCloseable closing : started) {
                closing.close();
            }
        }
    }

    /** Until the replica has every write the master acknowledged. */
    private static void awaitReplicaInSync(RedisServer master, RedisServer replica) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Jedis m = new Jedis("127.0.0.1", master.port()); Jedis r = new Jedis("127.0.0.1", replica.port())) {
                String replicaInfo = r.info("replication");
                return replicaInfo.contains("master_link_status:up")
                        && offset(m.info("replication"), "master_repl_offset")
                                == offset(replicaInfo, "slave_repl_offset");
            }
        });
    }

    private static long offset(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        return -1;
    }
}
