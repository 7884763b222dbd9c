package io.thinkloop.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The remote chat backend against a loopback replay server playing DeepSeek API, vLLM and SGLang streams. */
@ExtendWith(ReplayServerExtension.class)
class RemoteChatBackendTest {
    static final List<ToolSpec> TOOLS = List.of(
            new ToolSpec("get_weather", "Current weather", json("""
                    {"type":"object","properties":{"city":{"type":"string"},"metric":{"type":"boolean"}},"required":["city"]}""")), new ToolSpec("search", "Web search", json("""
                    {"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer"}}}""")));

    ReplayServer server;

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static CompletionRequest request(List<ChatMessage> messages) {
        return new CompletionRequest(
                messages,
                TOOLS,
                ThinkingMode.THINKING,
                null,
                new CompletionRequest.Sampling(1024, 0.6, 0.95, 20, 7L, List.of("<stop>")));
    }

    static CompletionRequest weatherQuestion() {
        return request(
                List.of(ChatMessage.system("You are helpful."), ChatMessage.user("Weather in Zürich? Any events?")));
    }

    RemoteConfig config(Provider provider) {
        return RemoteConfig.of(server.baseUrl(), "test-model", provider)
                .withApiKey("sk-test-123")
                .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(100));
    }

    static List<ModelChunk> run(RemoteChatBackend backend, CompletionRequest request) {
        return backend.stream(request)
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                .awaitCompletion(Duration.ofSeconds(20))
                .getItems();
    }

    @ParameterizedTest(name = "written in pieces of {0} bytes (0 = per event)")
    @ValueSource(ints = {0, 1, 7, 4096})
    void deepSeekApiReasoningContentAndIncrementalToolArguments(int pieceBytes) {
        server.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.transcript("deepseek-tool-calls.sse").chunked(pieceBytes));
        Collected c = Collected.of(run(new RemoteChatBackend(config(Provider.DEEPSEEK)), weatherQuestion()));

        assertEquals("The user wants the weather in Zürich — I should call get_weather.", c.reasoning());
        assertEquals("", c.text());
        assertEquals(2, c.calls().size());
        assertEquals("get_weather", c.calls().get(0).name());
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(c.calls().get(0).arguments()));
        assertEquals("search", c.calls().get(1).name());
        assertEquals(
                json("{\"query\":\"Zürich events\",\"limit\":3}"),
                json(c.calls().get(1).arguments()));
        assertEquals("tool_calls", c.endReason());
        assertEquals(new ModelChunk.Usage(312, 58, 21), c.usage());
        assertTrue(c.repairs().isEmpty(), c.repairs().toString());

        JsonNode body = server.requests().get(0);
        assertEquals("enabled", body.path("thinking").path("type").asText());
        assertTrue(body.path("chat_template_kwargs").isMissingNode());
        assertTrue(body.path("stream").asBoolean());
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
        assertEquals("test-model", body.path("model").asText());
        assertEquals(
                "get_weather",
                body.path("tools").get(0).path("function").path("name").asText());
        assertEquals(
                "boolean",
                body.path("tools")
                        .get(0)
                        .path("function")
                        .path("parameters")
                        .path("properties")
                        .path("metric")
                        .path("type")
                        .asText());
        assertEquals(1024, body.path("max_tokens").asInt());
        assertEquals(7, body.path("seed").asInt());
        assertEquals("<stop>", body.path("stop").get(0).asText());
        assertTrue(body.path("top_k").isMissingNode(), "the DeepSeek API takes no top_k");
        assertEquals("Bearer sk-test-123", server.authorizations().get(0));
    }

    @Test
    void vllmReasoningFieldOnePieceArgumentsAndQuotedBoolean() {
        server.enqueue("/v1/chat/completions", ReplayServer.Reply.transcript("vllm-tool-calls.sse"));
        Collected c = Collected.of(run(new RemoteChatBackend(config(Provider.VLLM)), weatherQuestion()));

        assertEquals("Need the weather for Zürich.", c.reasoning());
        assertEquals(1, c.calls().size());
        assertEquals("get_weather", c.calls().get(0).name());
        // vLLM's tool parser sent "true" (a string) for a boolean parameter: coerced by the tool's schema.
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(c.calls().get(0).arguments()));
        assertTrue(json(c.calls().get(0).arguments()).path("metric").isBoolean());
        assertEquals("schema_coercion", c.calls().get(0).repairs().get(0).kind());
        assertEquals("tool_calls", c.endReason());
        assertEquals(new ModelChunk.Usage(298, 33, 0), c.usage());

        JsonNode body = server.requests().get(0);
        assertTrue(body.path("chat_template_kwargs").path("thinking").asBoolean());
        assertTrue(body.path("thinking").isMissingNode());
        assertEquals(20, body.path("top_k").asInt());
    }

    @Test
    void sglangDsmlLeakingIntoContentIsParsedByTheCodec() {
        server.enqueue("/v1/chat/completions", ReplayServer.Reply.transcript("sglang-dsml-in-content.sse"));
        Collected c = Collected.of(run(new RemoteChatBackend(config(Provider.SGLANG)), weatherQuestion()));

        assertEquals("I'll check the weather.", c.reasoning());
        assertEquals("Let me look that up.", c.text());
        assertEquals(1, c.calls().size());
        assertEquals("get_weather", c.calls().get(0).name());
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(c.calls().get(0).arguments()));
        assertEquals("tool_calls", c.endReason(), "finish_reason was stop, but the content held a tool call");
        assertTrue(c.repairs().stream().anyMatch(r -> r.kind().equals("dsml_in_content")));
        assertEquals(new ModelChunk.Usage(305, 66, 0), c.usage());
        assertTrue(server.requests()
                .get(0)
                .path("chat_template_kwargs")
                .path("thinking")
                .asBoolean());
    }

    @Test
    void currentTurnAssistantMessagesCarryReasoningContentBack() {
        server.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.transcript("deepseek-answer.sse").validatingLikeDeepSeek());
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("You are helpful."),
                ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!", "Greeting back.", null),
                ChatMessage.user("Weather in Zürich?"),
                ChatMessage.assistant(
                        "",
                        "Call the weather tool.",
                        List.of(new ToolCall("call_1", "get_weather", "{\"city\": \"Zürich\"}"))),
                ChatMessage.tool("call_1", "{\"temp\": 18, \"sky\": \"sunny\"}"),
                // A tool call whose reasoning was empty: the field must still be there.
                ChatMessage.assistant(null, null, List.of(new ToolCall("call_2", "search", "{\"query\": \"Zürich\"}"))),
                ChatMessage.tool("call_2", "[]"));
        Collected c = Collected.of(run(new RemoteChatBackend(config(Provider.DEEPSEEK)), request(conversation)));
        assertEquals("Zürich is 18 °C and sunny today. 🌤", c.text());
        assertEquals("It is 18°C and sunny.", c.reasoning());
        assertEquals("stop", c.endReason());

        JsonNode messages = server.requests().get(0).path("messages");
        assertTrue(messages.get(2).path("reasoning_content").isMissingNode(), "an earlier turn's reasoning is dropped");
        assertEquals(
                "Call the weather tool.",
                messages.get(4).path("reasoning_content").asText());
        assertEquals("", messages.get(6).path("reasoning_content").asText());
        assertTrue(messages.get(6).path("reasoning_content").isTextual());
        assertEquals(
                "call_1", messages.get(4).path("tool_calls").get(0).path("id").asText());
        assertEquals(
                "{\"city\": \"Zürich\"}",
                messages.get(4)
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asText());
        assertEquals("call_1", messages.get(5).path("tool_call_id").asText());
        assertNull(ReplayServer.missingReasoningContent(server.requests().get(0)));
    }

    @Test
    void theReplayServerRejectsAMissingReasoningContentLikeDeepSeekAndTheBackendSurfacesIt() throws Exception {
        // Control: a body as a client that forgets the field would send it gets DeepSeek's 400.
        server.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.transcript("deepseek-answer.sse").validatingLikeDeepSeek());
        String body = """
                {"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"Weather?"},
                 {"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c1","content":"sunny"}]}""";
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("Missing `reasoning_content`"));

        // A 400 is not retried and reaches the caller as a non-retryable BackendException.
        server.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.status(
                        400,
                        "{\"error\":{\"message\":\"Missing `reasoning_content` field\",\"type\":\"invalid_request_error\"}}",
                        Map.of()));
        Throwable failure = new RemoteChatBackend(config(Provider.DEEPSEEK))
                .stream(weatherQuestion())
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitFailure(Duration.ofSeconds(10))
                        .getFailure();
        BackendException e = (BackendException) failure;
        assertEquals(400, e.httpStatus());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("reasoning_content"), e.getMessage());
        assertEquals(2, server.requests().size());
    }

    @Test
    void chatModeSwitchesThinkingOffPerProvider() {
        server.enqueue(
                "/v1/chat/completions",
                ReplayServer.Reply.transcript("deepseek-answer.sse"),
                ReplayServer.Reply.transcript("deepseek-answer.sse"));
        CompletionRequest chat = new CompletionRequest(
                List.of(ChatMessage.user("Hi")),
                List.of(),
                ThinkingMode.CHAT,
                null,
                CompletionRequest.Sampling.greedy(100));
        run(new RemoteChatBackend(config(Provider.DEEPSEEK)), chat);
        run(new RemoteChatBackend(config(Provider.SGLANG)), chat);
        assertEquals(
                "disabled",
                server.requests().get(0).path("thinking").path("type").asText());
        assertFalse(server.requests()
                .get(1)
                .path("chat_template_kwargs")
                .path("thinking")
                .asBoolean(true));
        assertTrue(server.requests().get(0).path("tools").isMissingNode());
    }

    @Test
    void unconfiguredBackendFailsClearly() {
        RemoteChatBackend backend = new RemoteChatBackend(new RemoteSettingsStub());
        assertFalse(backend.available());
        Throwable f = backend.stream(weatherQuestion())
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(1))
                .awaitFailure()
                .getFailure();
        assertEquals(ErrorCode.NOT_CONFIGURED, ((BackendException) f).code());
        assertNotNull(f.getMessage());
    }
}
