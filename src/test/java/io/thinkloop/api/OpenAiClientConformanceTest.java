package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.testkit.Interop;
import java.io.File;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two more OpenAI-compatible clients against {@code /v1/chat/completions} with API-key authentication on:
 * LangChain's {@code @langchain/openai} and the Vercel AI SDK ({@code ai} with {@code @ai-sdk/openai-compatible}),
 * run by {@code src/test/node/openai-clients-conformance.mjs} on Node 22. The model is {@link DsmlTestBackend}
 * through the real codec. Each client must stream, call tools, report usage, end on a stop sequence with
 * {@code finish_reason: stop}, and surface every error with its status and OpenAI envelope: 400
 * {@code unsupported_response_format} for structured output (the double, like the embedded engine, cannot
 * constrain decoding), 404 {@code model_not_found}, 400 {@code context_length_exceeded}, 401
 * {@code invalid_api_key} and 429 with {@code Retry-After}.
 */
@QuarkusTest
@TestProfile(OpenAiAuthTest.Secured.class)
class OpenAiClientConformanceTest {
    static final String KEY = "s3cret-key";

    @TestHTTPResource("/")
    URL root;

    @Test
    void langChainAndVercelAiSdkStreamCallToolsStopAndSeeEveryErrorInOpenAisShape() throws Exception {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled() || new File("src/test/setup.sh").exists(), "npm peers");
        OpenAiClientsTest.run(Duration.ofMinutes(5), "bash", new File("src/test/setup.sh").getAbsolutePath());
        Interop.requirePeer(
                new File("src/test/node/node_modules/@langchain/openai").isDirectory()
                        && new File("src/test/node/node_modules/ai").isDirectory(),
                "@langchain/openai and ai (src/test/setup.sh)");
        String base = root.toString().replaceAll("/$", "");
        String out = OpenAiClientsTest.run(
                Duration.ofSeconds(120),
                McpTestSupport.node(),
                new File("src/test/node/openai-clients-conformance.mjs").getAbsolutePath(),
                base,
                DsmlTestBackend.ID,
                KEY);
        System.out.println(out);
        JsonNode r =
                Json.MAPPER.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        JsonNode lc = r.path("langchain");
        JsonNode v = r.path("vercel");
        assertFalse(lc.isMissingNode() || v.isMissingNode(), out);

        // Streaming with usage.
        assertEquals("You said: hello there", ok(lc, "stream").path("text").asText());
        assertEquals("stop", ok(lc, "stream").path("finish").asText());
        assertTrue(ok(lc, "stream").path("chunks").asInt() > 2, "streamed in pieces");
        assertTrue(ok(lc, "stream").path("usage").path("input_tokens").asInt() > 0);
        assertTrue(ok(lc, "stream").path("usage").path("output_tokens").asInt() > 0);
        assertEquals("You said: hello there", ok(v, "stream").path("text").asText());
        assertEquals("stop", ok(v, "stream").path("finish").asText());
        assertTrue(ok(v, "stream").path("parts").asInt() > 1, "streamed in pieces");
        assertTrue(ok(v, "stream").path("usage").path("inputTokens").asInt() > 0);
        assertTrue(ok(v, "stream").path("usage").path("outputTokens").asInt() > 0);

        // Tools, streamed and not.
        JsonNode weather = Json.MAPPER.readTree("{\"city\":\"Zürich\",\"metric\":true}");
        for (String how : new String[] {"streamed", "invoked"}) {
            JsonNode call = ok(lc, "tools").path(how).path(0);
            assertEquals("get_weather", call.path("name").asText(), how);
            assertEquals(weather, call.path("args"), how);
            assertTrue(call.path("id").asText().startsWith("call_"), how);
            assertEquals(1, ok(lc, "tools").path(how).size(), how);
        }
        assertEquals("tool_calls", ok(lc, "tools").path("finish").asText());
        assertTrue(ok(lc, "tools").path("usage").path("input_tokens").asInt() > 0);
        for (String how : new String[] {"calls", "streamed"}) {
            JsonNode call = ok(v, "tools").path(how).path(0);
            assertEquals("get_weather", call.path("name").asText(), how);
            assertEquals(weather, call.path("input"), how);
            assertTrue(call.path("id").asText().startsWith("call_"), how);
        }
        assertEquals("tool-calls", ok(v, "tools").path("finish").asText());
        assertTrue(ok(v, "tools").path("usage").path("inputTokens").asInt() > 0);

        // A stop sequence ends the text before it, with finish_reason "stop".
        assertEquals("You ", ok(lc, "stop").path("text").asText());
        assertEquals("stop", ok(lc, "stop").path("finish").asText());
        assertEquals("You ", ok(v, "stop").path("text").asText());
        assertEquals("stop", ok(v, "stop").path("finish").asText());

        // Structured output: this backend cannot constrain decoding, so the request is refused, never ignored.
        for (JsonNode client : new JsonNode[] {lc, v}) {
            for (String kind : new String[] {"jsonSchema", "jsonObject"}) {
                error(client, kind, 400, "invalid_request_error", "unsupported_response_format", "response_format");
            }
            error(client, "unknownModel", 404, "invalid_request_error", "model_not_found", "model");
            error(client, "contextExceeded", 400, "invalid_request_error", "context_length_exceeded", "messages");
            error(client, "wrongKey", 401, "invalid_request_error", "invalid_api_key", null);
            JsonNode busy = error(client, "busy", 429, "rate_limit_error", "busy", null);
            assertTrue(busy.path("retryAfter").asInt() > 0, "Retry-After reaches the client: " + busy);
        }
        assertEquals("BadRequestError", err(lc, "jsonSchema").path("class").asText());
        assertEquals("NotFoundError", err(lc, "unknownModel").path("class").asText());
        assertEquals("AuthenticationError", err(lc, "wrongKey").path("class").asText());
        assertEquals("RateLimitError", err(lc, "busy").path("class").asText());
        assertEquals(
                "MODEL_NOT_FOUND", err(lc, "unknownModel").path("lcErrorCode").asText());
        assertEquals("MODEL_RATE_LIMIT", err(lc, "busy").path("lcErrorCode").asText());
        assertTrue(err(v, "busy").path("retryable").asBoolean(), "the AI SDK may retry a 429");
        assertFalse(err(v, "unknownModel").path("retryable").asBoolean(), "the AI SDK must not retry a 404");
    }

    private static JsonNode ok(JsonNode client, String kase) {
        JsonNode r = client.path(kase);
        assertTrue(r.has("ok"), kase + " failed: " + r);
        return r.path("ok");
    }

    private static JsonNode err(JsonNode client, String kase) {
        JsonNode r = client.path(kase);
        assertTrue(r.has("error"), kase + " should have failed: " + r);
        return r.path("error");
    }

    /** The case failed with this status and OpenAI's envelope {error: {message, type, param, code}}. */
    private static JsonNode error(JsonNode client, String kase, int status, String type, String code, String param) {
        JsonNode e = err(client, kase);
        assertEquals(status, e.path("status").asInt(), kase + ": " + e);
        // LangChain (through the openai client) exposes the envelope's `error`; the AI SDK the whole body.
        JsonNode body = e.path("body").has("error") ? e.path("body").path("error") : e.path("body");
        assertEquals(type, body.path("type").asText(), kase + ": " + e);
        assertEquals(code, body.path("code").asText(), kase + ": " + e);
        assertFalse(body.path("message").asText().isBlank(), kase + ": " + e);
        if (param == null) {
            assertTrue(body.path("param").isNull(), kase + ": " + e);
        } else {
            assertEquals(param, body.path("param").asText(), kase + ": " + e);
        }
        return e;
    }
}
