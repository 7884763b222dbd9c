package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.TestTemp;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service as a child process ({@code java -jar target/quarkus-app/quarkus-run.jar serve}):
 * run a turn over WebSocket, kill -9, restart, and find every completed message and event again.
 * Runs in {@code mvn verify} (failsafe) after packaging; uses the {@code scripted} demo backend.
 */
class SessionRestartIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Process service;
    private Path log;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @Test
    void aKilledServiceLosesNoCompletedMessage() throws Exception {
        Path dataDir = TestTemp.dir("thinkloop-restart");
        Path script = dataDir.resolve("script.json");
        Files.writeString(script, """
                [[{"reasoning": "The user wants a durable answer."}, {"text": "Durable "}, {"text": "answer."}]]
                """);
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port + "/");

        // first life: no API key configured, so the service generates one into the data dir
        service = start(
                dataDir,
                port,
                Map.of("thinkloop.model.backend", "scripted", "thinkloop.model.scripted.script", script.toString()));
        awaitReady(base);
        String key = Files.readString(dataDir.resolve("api-key")).trim();
        assertTrue(key.startsWith("tl_"), key);
        Map<String, String> auth = Map.of("Authorization", "Bearer " + key);
        List<JsonNode> live = new ArrayList<>();
        try (WsClient c = WsClient.connect(base, "durable", null, auth)) {
            live.add(c.next(Duration.ofSeconds(10)));
            c.send(Map.of("type", "user_message", "content", "Give me a durable answer"));
            live.addAll(c.untilTurnEnd());
        }
        assertEquals("stop", live.getLast().path("finishReason").asText());

        service.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no flush
        // second life: the configured backend does not exist; the service must still come up and serve
        service = start(dataDir, port, Map.of("thinkloop.model.backend", "no-such-backend"));
        awaitStatus(base, "/q/health/live"); // not ready: readiness says the configured backend is missing
        JsonNode transcript = getJson(base.resolve("/v1/sessions/durable/transcript"), key);
        JsonNode messages = transcript.path("messages");
        assertEquals(2, messages.size(), transcript.toString());
        assertEquals("user", messages.get(0).path("role").asText());
        assertEquals("Give me a durable answer", messages.get(0).path("content").asText());
        assertEquals("Durable answer.", messages.get(1).path("content").asText());
        assertEquals(
                "The user wants a durable answer.",
                messages.get(1).path("reasoning_content").asText());
        // the event stream survived too, byte for byte
        try (WsClient c = WsClient.connect(base, "durable", "lastSeq=0", auth)) {
            List<JsonNode> replay = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                replay.add(c.next(Duration.ofSeconds(10)));
            }
            assertEquals(
                    live.stream().map(JsonNode::toString).toList(),
                    replay.stream().map(JsonNode::toString).toList());
            // a turn on a missing backend fails with a clear error; the service stays up
            c.send(Map.of("type", "user_message", "content", "and now?"));
            List<JsonNode> failed = c.untilTurnEnd();
            JsonNode error = failed.stream()
                    .filter(e -> e.path("type").asText().equals("error"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("backend_unavailable", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("no-such-backend"));
            assertEquals("error", failed.getLast().path("finishReason").asText());
            assertEquals(
                    live.getLast().path("seq").asLong() + 1,
                    failed.getFirst().path("seq").asLong(),
                    "seq continues after restart");
        }
        HttpResponse<String> ready = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), "still up, and not ready while its backend is missing");
        assertTrue(ready.body().contains("no-such-backend"), "readiness names the reason: " + ready.body());
    }

    /** SIGTERM with a client connected: the socket is closed with 1001 at once and the service stops promptly. */
    @Test
    void sigtermClosesSessionSocketsAndStopsPromptly() throws Exception {
        Path dataDir = TestTemp.dir("thinkloop-sigterm");
        Path script = dataDir.resolve("script.json");
        Files.writeString(script, """
                [[{"text": "slow "}, {"text": "answer"}]]
                """);
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        service = start(
                dataDir,
                port,
                Map.of(
                        "thinkloop.model.backend",
                        "scripted",
                        "thinkloop.model.scripted.script",
                        script.toString(),
                        "thinkloop.api-key",
                        "k-sigterm"));
        awaitReady(base);
        try (WsClient c = WsClient.connect(base, "draining", null, Map.of("Authorization", "Bearer k-sigterm"))) {
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(10)).path("type").asText());
            long t0 = System.nanoTime();
            service.destroy(); // SIGTERM: graceful shutdown
            assertEquals(1001, c.closed.get(10, TimeUnit.SECONDS), "going away");
            assertTrue(service.waitFor(8, TimeUnit.SECONDS), "stopped well inside quarkus.shutdown.timeout (10s)");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis < 5000, "graceful shutdown took " + millis + " ms");
        }
        // Quarkus logs "All HTTP requests complete" only when a request was still open as shutdown began, which
        // races with the socket's close; what must never appear is the graceful shutdown giving up on one.
        String shutdown = Files.readString(log);
        assertFalse(
                shutdown.contains("Timed out waiting for graceful shutdown"),
                "no request was left in flight: " + shutdown);
        assertFalse(shutdown.contains("Graceful shutdown failed"), shutdown);
    }

    private Process start(Path dataDir, int port, Map<String, String> config) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("thinkloop.app.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(McpTestSupport.jvmFlags());
        cmd.addAll(List.of("-Xmx512m", "-Dthinkloop.data-dir=" + dataDir, "-Dquarkus.http.host=127.0.0.1"));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar, "serve", "--port", Integer.toString(port)));
        log = dataDir.resolve("service-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("THINKLOOP_API_KEY");
        return pb.start();
    }

    private void awaitReady(URI base) throws Exception {
        awaitStatus(base, "/q/health/ready");
    }

    /** Waits until {@code path} answers 200. */
    private void awaitStatus(URI base, String path) throws Exception {
        try {
            Await.untilNoException(
                    path + " answering 200",
                    Duration.ofSeconds(90),
                    IOException.class,
                    () -> {
                        if (!service.isAlive()) {
                            throw new AssertionError("service exited: " + Files.readString(log));
                        }
                        return HTTP.send(
                                        HttpRequest.newBuilder(base.resolve(path))
                                                .timeout(Duration.ofSeconds(2))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode();
                    },
                    status -> status == 200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; service log: " + Files.readString(log), e);
        }
    }

    private static JsonNode getJson(URI uri, String key) throws Exception {
        var r = HTTP.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
