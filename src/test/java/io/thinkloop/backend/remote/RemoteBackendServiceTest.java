package io.thinkloop.backend.remote;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.thinkloop.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The remote chat backend as the service configures it ({@code thinkloop.model.remote.*} → CDI bean
 * {@code remote}), serving our OpenAI endpoint: Thinkloop as a proxy in front of a (replayed) DeepSeek API.
 */
@QuarkusTest
@TestProfile(RemoteBackendServiceTest.DeepSeekProfile.class)
class RemoteBackendServiceTest {
    static ReplayServer deepSeek;

    public static class DeepSeekProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "thinkloop.model.remote.api-key",
                    "sk-from-config",
                    "thinkloop.model.remote.model",
                    "deepseek-reasoner",
                    "thinkloop.model.remote.provider",
                    "deepseek");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ReplayResource.class));
        }
    }

    public static class ReplayResource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                deepSeek = new ReplayServer();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("thinkloop.model.remote.base-url", deepSeek.baseUrl());
        }

        @Override
        public void stop() {
            try {
                deepSeek.close();
            } catch (Exception ignored) {
                // the JVM is going away
            }
        }
    }

    @Test
    void ourEndpointProxiesTheDeepSeekApiThroughTheConfiguredRemoteBackend() throws Exception {
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("data.id", hasItem("remote"))
                .body("data.id", hasItem("remote-reasoner"));
        deepSeek.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.transcript("deepseek-tool-calls.sse").chunked(11));
        String body = """
                {"model":"remote-reasoner","stream":false,"messages":[{"role":"user","content":"Weather in Zürich? Any events?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":
                   {"city":{"type":"string"},"metric":{"type":"boolean"}}}}},
                  {"type":"function","function":{"name":"search","parameters":{"type":"object","properties":
                   {"query":{"type":"string"},"limit":{"type":"integer"}}}}}]}""";
        JsonNode r = Json.MAPPER.readTree(given().contentType(ContentType.JSON)
                .body(body)
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        JsonNode message = r.path("choices").get(0).path("message");
        assertEquals(
                "The user wants the weather in Zürich — I should call get_weather.",
                message.path("reasoning_content").asText());
        assertEquals(
                "get_weather",
                message.path("tool_calls").get(0).path("function").path("name").asText());
        assertEquals(
                Json.MAPPER.readTree("{\"city\":\"Zürich\",\"metric\":true}"),
                Json.MAPPER.readTree(message.path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asText()));
        assertEquals(
                "search",
                message.path("tool_calls").get(1).path("function").path("name").asText());
        assertEquals(
                "tool_calls", r.path("choices").get(0).path("finish_reason").asText());
        assertEquals(312, r.path("usage").path("prompt_tokens").asInt());
        assertEquals(
                21,
                r.path("usage")
                        .path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt());

        JsonNode sent = deepSeek.requests().get(deepSeek.requests().size() - 1);
        assertEquals("deepseek-reasoner", sent.path("model").asText());
        assertEquals("enabled", sent.path("thinking").path("type").asText());
        assertEquals(
                "Bearer sk-from-config",
                deepSeek.authorizations().get(deepSeek.authorizations().size() - 1));
        assertTrue(sent.path("stream").asBoolean());
    }
}
