package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.cli.perf.ChildService;
import io.thinkloop.cli.perf.StorePeers;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scale-out proof, on the packaged service: a shared session store (redis-server, then PostgreSQL, started by
 * the test), two replicas as child processes and haproxy in front. A client starts a turn through haproxy (on
 * replica A: {@code balance first}), A is killed with SIGKILL mid-turn, the client reconnects through haproxy (now
 * replica B) with its {@code lastSeq} and receives every later event exactly once: the rest of what A journaled,
 * then the turn's end as {@code interrupted} (B takes the expired lease over); a new turn then runs on B, and the
 * whole stream replayed from 0 holds every seq once, with what the client saw live from A byte for byte.
 */
class ScaleOutIT {
    private final List<Process> replicas = new ArrayList<>();
    private StorePeers peers;

    @AfterEach
    void stop() {
        replicas.forEach(Process::destroyForcibly);
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void aTurnSurvivesItsReplicaOnRedis() throws Exception {
        Interop.requirePeer(
                StorePeers.binary("redis-server").isPresent()
                        && StorePeers.binary("haproxy").isPresent(),
                "redis-server and haproxy (Debian: apt-get install redis-server haproxy)");
        Path dir = TestTemp.dir("thinkloop-scale-redis");
        peers = new StorePeers();
        String url = peers.redis(dir);
        failover(dir, Map.of("thinkloop.sessions.store", "redis", "thinkloop.sessions.redis.url", url));
    }

    @Test
    void aTurnSurvivesItsReplicaOnPostgres() throws Exception {
        Interop.requirePeer(
                StorePeers.postgresBin().isPresent()
                        && StorePeers.binary("haproxy").isPresent(),
                "PostgreSQL's initdb/postgres under /usr/lib/postgresql and haproxy"
                        + " (Debian: apt-get install postgresql haproxy)");
        Path dir = Files.createTempDirectory("thinkloop-scale-pg"); // not TestTemp's private root: postgres reads it
        peers = new StorePeers();
        String url = peers.postgres(dir);
        failover(
                dir,
                Map.of(
                        "thinkloop.sessions.store",
                        "postgres",
                        "thinkloop.sessions.postgres.url",
                        url,
                        "thinkloop.sessions.postgres.user",
                        "thinkloop"));
    }

    private void failover(Path dir, Map<String, String> store) throws Exception {
        try {
            run(dir, store);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "\n--- replica b's log (tail) ---\n" + tail(dir.resolve("replica-b.log")), e);
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log) : "(none)";
        return text.substring(Math.max(0, text.length() - 6000));
    }

    private void run(Path dir, Map<String, String> store) throws Exception {
        int portA = StorePeers.freePort();
        int portB = StorePeers.freePort();
        Process a = replica(dir, "a", portA, store);
        Process b = replica(dir, "b", portB, store);
        URI baseA = URI.create("http://127.0.0.1:" + portA + "/");
        ChildService.awaitReady(a, baseA, dir.resolve("replica-a.log"));
        ChildService.awaitReady(b, URI.create("http://127.0.0.1:" + portB + "/"), dir.resolve("replica-b.log"));
        URI front = URI.create("http://127.0.0.1:" + peers.haproxy(dir, List.of(portA, portB), "first") + "/");
        Map<String, String> auth = Map.of("Authorization", "Bearer k-scale");

        List<JsonNode> seen = new ArrayList<>();
        try (WsClient c = WsClient.connect(front, "failover", null, auth)) {
            seen.add(c.next(Duration.ofSeconds(10)));
            assertEquals("session.created", seen.getFirst().path("type").asText());
            c.send(Map.of("type", "user_message", "content", "a long answer, please"));
            // mid-turn: some text has streamed, and the turn is far from its end (200 deltas, 25 ms apart)
            while (seen.stream()
                            .filter(e -> e.path("type").asText().equals("text.delta"))
                            .count()
                    < 10) {
                seen.add(c.next(Duration.ofSeconds(10)));
            }
            a.destroyForcibly().waitFor(); // SIGKILL: replica A dies mid-turn, holding the session's lease
        }
        long lastSeq = seen.getLast().path("seq").asLong();
        assertContiguous(seen, 1);

        List<JsonNode> resumed;
        List<JsonNode> second;
        try (WsClient c = WsClient.connect(front, "failover", "lastSeq=" + lastSeq, auth)) {
            resumed = until(c, "turn.completed");
            assertContiguous(resumed, lastSeq + 1);
            assertEquals(
                    "interrupted", resumed.getLast().path("finishReason").asText(), "the dead replica's turn ended");
            c.send(Map.of("type", "user_message", "content", "and again, on the other replica"));
            second = until(c, "turn.completed");
            assertContiguous(second, resumed.getLast().path("seq").asLong() + 1);
            assertEquals("stop", second.getLast().path("finishReason").asText(), "a new turn ran to its end on B");
        }
        assertTrue(Files.readString(dir.resolve("replica-b.log")).contains("interrupted"), "B closed A's turn");

        // the whole stream, replayed from 0 on B: every seq once, and what A sent live byte for byte
        List<JsonNode> all = new ArrayList<>(seen);
        all.addAll(resumed);
        all.addAll(second);
        try (WsClient c = WsClient.connect(front, "failover", "lastSeq=0", auth)) {
            List<JsonNode> replay = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                replay.add(c.next(Duration.ofSeconds(10)));
            }
            assertEquals(
                    all.stream().map(JsonNode::toString).toList(),
                    replay.stream().map(JsonNode::toString).toList());
        }
    }

    private static List<JsonNode> until(WsClient c, String type) {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode e = c.next(Duration.ofSeconds(30)); // the lease (2 s) must expire before B closes A's turn
            out.add(e);
            if (e.path("type").asText().equals(type)) {
                return out;
            }
        }
    }

    private static void assertContiguous(List<JsonNode> events, long first) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(
                    first + i,
                    events.get(i).path("seq").asLong(),
                    "event " + i + " of " + WsClient.types(events) + " (no gap, no duplicate)");
        }
    }

    private Process replica(Path dir, String name, int port, Map<String, String> store) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("thinkloop.app.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(McpTestSupport.jvmFlags());
        cmd.addAll(List.of(
                "-Xmx256m",
                "-Dthinkloop.data-dir=" + dir.resolve("data-" + name),
                "-Dquarkus.http.host=127.0.0.1",
                "-Dthinkloop.api-key=k-scale",
                "-Dthinkloop.model.backend=synthetic",
                "-Dthinkloop.model.synthetic.tokens=200",
                "-Dthinkloop.model.synthetic.interval=25ms",
                "-Dthinkloop.sessions.lease-ttl=2s",
                "-Dthinkloop.sessions.replica-id=replica-" + name));
        store.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar, "serve", "--port", Integer.toString(port)));
        Path log = dir.resolve("replica-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("THINKLOOP_API_KEY");
        Process p = pb.start();
        replicas.add(p);
        return p;
    }
}
