package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;

/**
 * The service with its default model backend, {@code embedded}, and no model configured: it generates the
 * untrained default checkpoint into its data directory, says so, and runs a real turn end to end over the
 * WebSocket API on the Java engine (whatever the random weights say, the turn completes).
 */
@QuarkusTest
@TestProfile(EmbeddedServiceTest.Profile.class)
class EmbeddedServiceTest {
    static Path dataDir;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                dataDir = TestTemp.dir("thinkloop-embedded-test");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "thinkloop.data-dir", dataDir.toString(),
                    "thinkloop.model.backend", "embedded",
                    "thinkloop.security.auth-enabled", "true",
                    "thinkloop.api-key", RuntimeTestProfile.KEY,
                    "thinkloop.agent.max-tokens", "48",
                    "thinkloop.agent.turn-timeout", "120s",
                    "thinkloop.model.embedded.threads", "2",
                    "quarkus.shutdown.timeout", "1s");
        }
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URI base;

    JsonNode get(String path, boolean auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (auth) {
            b.header("Authorization", "Bearer " + RuntimeTestProfile.KEY);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body());
    }

    JsonNode awaitReady() {
        return Await.until(
                "the service ready",
                Duration.ofSeconds(120),
                () -> get("/q/health/ready", false),
                health -> "UP".equals(health.path("status").asText()));
    }

    @Test
    void defaultEmbeddedModelIsGeneratedSaysItIsUntrainedAndRunsATurn() throws Exception {
        JsonNode health = awaitReady();
        JsonNode check = null;
        for (JsonNode c : health.path("checks")) {
            if (c.path("name").asText().equals("embedded-model")) {
                check = c;
            }
        }
        assertTrue(check != null, health.toString());
        assertEquals("ready", check.path("data").path("state").asText());
        assertTrue(check.path("data").path("untrained").asBoolean(), check.toString());

        JsonNode info = get("/v1/engine", true);
        assertTrue(info.path("untrained").asBoolean(), info.toString());
        assertTrue(info.path("notice").asText().contains("UNTRAINED"), info.toString());
        assertEquals(129280, info.path("vocabSize").asInt());
        JsonNode embeddedModel = null;
        for (JsonNode m : get("/v1/models", true).path("data")) {
            if (m.path("id").asText().equals("embedded")) {
                embeddedModel = m;
            }
        }
        assertTrue(
                embeddedModel != null && embeddedModel.path("notice").asText().contains("UNTRAINED"),
                "GET /v1/models says the embedded model is untrained: " + embeddedModel);
        Path ckpt = Path.of(info.path("checkpoint").asText());
        assertTrue(ckpt.startsWith(dataDir.resolve("models")), ckpt.toString());
        assertTrue(Files.exists(ckpt.resolve("model.safetensors")));
        assertTrue(Files.exists(ckpt.resolve("UNTRAINED.txt")));

        String id = "embedded-" + System.nanoTime();
        try (WsClient c = WsClient.connect(base, id, null)) {
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(10)).path("type").asText());
            c.send(Map.of("type", "user_message", "content", "What is 2+2? Answer briefly."));
            List<JsonNode> turn = c.until("turn.completed", Duration.ofSeconds(120));
            List<String> types = WsClient.types(turn);
            assertEquals("turn.started", types.getFirst());
            assertTrue(types.contains("usage"), types.toString());
            JsonNode usage = turn.stream()
                    .filter(e -> e.path("type").asText().equals("usage"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(usage.path("promptTokens").asInt() > 5, usage.toString());
            assertTrue(usage.path("completionTokens").asInt() >= 1, usage.toString());
            assertFalse(types.contains("error"), turn.toString());
            JsonNode done = turn.getLast();
            assertFalse(done.path("finishReason").asText().isEmpty(), done.toString());
        }
        // The service is still up and serves the next turn too.
        assertEquals("UP", get("/q/health/ready", false).path("status").asText());
    }

    /** The token ids a sampled turn generates in a fresh session (one generation: no tools are configured). */
    List<Integer> sampledTokens(Map<String, Object> sampling) throws Exception {
        try (WsClient c = WsClient.connect(base, "sampled-" + System.nanoTime(), null)) {
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(10)).path("type").asText());
            c.send(Map.of(
                    "type",
                    "user_message",
                    "content",
                    "Plan a day in Paris.",
                    "includeTokens",
                    true,
                    "sampling",
                    sampling));
            List<JsonNode> turn = c.until("turn.completed", Duration.ofSeconds(120));
            assertFalse(WsClient.types(turn).contains("error"), turn.toString());
            List<Integer> ids = new ArrayList<>();
            turn.stream()
                    .filter(e -> e.path("type").asText().equals("tokens"))
                    .forEach(e -> e.path("ids").forEach(id -> ids.add(id.asInt())));
            assertFalse(ids.isEmpty(), "the embedded engine reports the token ids it sampled: " + turn);
            return ids;
        }
    }

    @Test
    void sampledTurnsRepeatTokenForTokenWithTheSameSeedAndDifferWithAnother() throws Exception {
        awaitReady();
        Map<String, Object> seven = Map.of("temperature", 1.0, "topP", 0.95, "seed", 7);
        List<Integer> first = sampledTokens(seven);
        assertEquals(first, sampledTokens(seven), "same seed, same tokens");
        assertFalse(
                first.equals(sampledTokens(Map.of("temperature", 1.0, "topP", 0.95, "seed", 8))),
                "another seed samples another completion");
    }

    @Test
    void samplingOutOfRangeIsRefusedWithAReasonAndStartsNoTurn() throws Exception {
        try (WsClient c = WsClient.connect(base, "bad-sampling-" + System.nanoTime(), null)) {
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(10)).path("type").asText());
            c.send(Map.of("type", "user_message", "content", "hi", "sampling", Map.of("temperature", 7)));
            JsonNode error = c.next(Duration.ofSeconds(10));
            assertEquals("error", error.path("type").asText(), error.toString());
            assertEquals("invalid_message", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("temperature"), error.toString());
        }
    }
}
