package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.testkit.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kill -9} of the packaged service in the middle of turns, under each fsync policy; then a restart
 * and a {@code lastSeq=0} resume of every session: every event a client had received is replayed
 * unchanged (0 lost), every seq comes once and in order (0 duplicated), and every interrupted turn ends
 * with {@code turn.completed {finishReason: "interrupted"}}.
 */
class SessionCrashIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "crash-key";
    private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + KEY);
    private static final int SESSIONS = 3;
    private Process service;
    private Path log;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch", "never"})
    void aKillMidTurnLosesAndDuplicatesNothingAndEveryTurnEnds(String fsync) throws Exception {
        Path dataDir = Files.createTempDirectory("thinkloop-crash-" + fsync);
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        Map<String, String> config = Map.of(
                "thinkloop.model.backend",
                "synthetic",
                "thinkloop.model.synthetic.tokens",
                "100000",
                "thinkloop.model.synthetic.interval",
                "1ms",
                "thinkloop.journal.fsync",
                fsync,
                "thinkloop.api-key",
                KEY);
        service = start(dataDir, port, config);
        awaitReady(base);

        Map<String, List<JsonNode>> acknowledged = new HashMap<>();
        Map<String, String> turnIds = new HashMap<>();
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String id = "crash-" + fsync + "-" + i;
            WsClient c = WsClient.connect(base, id, null, AUTH);
            clients.add(c);
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(10)).path("type").asText());
            c.send(Map.of("type", "user_message", "content", "a long answer, please"));
        }
        for (int i = 0; i < SESSIONS; i++) {
            String id = "crash-" + fsync + "-" + i;
            WsClient c = clients.get(i);
            List<JsonNode> seen = new ArrayList<>(c.seen);
            while (seen.stream()
                            .filter(e -> e.path("type").asText().equals("text.delta"))
                            .count()
                    < 50 + 20L * i) {
                seen.add(c.next(Duration.ofSeconds(10)));
            }
            acknowledged.put(id, seen);
            turnIds.put(
                    id,
                    seen.stream()
                            .filter(e -> e.path("type").asText().equals("turn.started"))
                            .findFirst()
                            .orElseThrow()
                            .path("turnId")
                            .asText());
        }
        service.destroyForcibly().waitFor(); // SIGKILL mid-turn: no shutdown hook, no flush
        clients.forEach(WsClient::close);

        service = start(dataDir, port, config);
        awaitReady(base);
        for (int i = 0; i < SESSIONS; i++) {
            String id = "crash-" + fsync + "-" + i;
            String turnId = turnIds.get(id);
            try (WsClient c = WsClient.connect(base, id, "lastSeq=0", AUTH)) {
                List<JsonNode> replay = new ArrayList<>();
                JsonNode e;
                do {
                    e = c.next(Duration.ofSeconds(20));
                    replay.add(e);
                } while (!(turnId.equals(e.path("turnId").asText())
                        && (e.path("type").asText().equals("turn.completed")
                                || e.path("type").asText().equals("cancelled"))));
                for (int k = 0; k < replay.size(); k++) {
                    assertEquals(
                            k + 1,
                            replay.get(k).path("seq").asLong(),
                            "seq " + (k + 1) + " once, in order (" + fsync + ")");
                }
                List<JsonNode> acked = acknowledged.get(id);
                assertTrue(
                        replay.size() > acked.size(), "the replay holds every acknowledged event and the turn's end");
                for (int k = 0; k < acked.size(); k++) {
                    assertEquals(
                            acked.get(k),
                            replay.get(k),
                            "acknowledged event " + (k + 1) + " replayed unchanged (" + fsync + ")");
                }
                JsonNode end = replay.getLast();
                assertEquals("turn.completed", end.path("type").asText());
                assertEquals("interrupted", end.path("finishReason").asText());
                System.out.printf(
                        "fsync %s, session %s: %d events acknowledged before kill -9, %d replayed after restart, 0 lost, 0 duplicated, turn ended %s%n",
                        fsync,
                        id,
                        acked.size(),
                        replay.size(),
                        end.path("finishReason").asText());
            }
        }
        var ready = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
    }

    private Process start(Path dataDir, int port, Map<String, String> config) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("thinkloop.app.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--add-modules=jdk.incubator.vector",
                "-Xmx512m",
                "-Dthinkloop.data-dir=" + dataDir,
                "-Dquarkus.http.host=127.0.0.1"));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar, "serve", "--port", Integer.toString(port)));
        log = dataDir.resolve("service-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("THINKLOOP_API_KEY");
        return pb.start();
    }

    private void awaitReady(URI base) throws Exception {
        Await.until("the restarted service's readiness (log: " + log + ")", Duration.ofSeconds(90), () -> {
            if (!service.isAlive()) {
                throw new AssertionError("service exited: " + Files.readString(log));
            }
            try {
                return HTTP.send(
                                        HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                                                .timeout(Duration.ofSeconds(2))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 200;
            } catch (IOException notYet) {
                return false; // still starting
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
