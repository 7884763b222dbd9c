package io.thinkloop.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.backend.remote.Provider;
import io.thinkloop.backend.remote.RemoteChatBackend;
import io.thinkloop.backend.remote.RemoteConfig;
import io.thinkloop.backend.remote.RemoteSettings;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.testkit.Await;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Thinkloop's OpenAI-compatible endpoint served by {@link DsmlTestBackend} (DSML text through the real
 * codec), read back over HTTP: plain requests, SSE streams, validation errors, and the remote chat backend
 * pointed at it.
 */
@QuarkusTest
class OpenAiEndpointTest {
    @TestHTTPResource("/")
    URL root;

    @jakarta.inject.Inject
    DsmlTestBackend scripted;

    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":
              {"type":"object","properties":{"city":{"type":"string"},"metric":{"type":"boolean"}},"required":["city"]}}},
             {"type":"function","function":{"name":"search","description":"Web search","parameters":
              {"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer"}}}}}]""";

    static String body(boolean stream, String extra) {
        return """
                {"model":"dsml-test-reasoner","stream":%s,%s
                 "messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Weather in Zürich?"}],
                 "tools":%s}""".formatted(stream, extra, TOOLS);
    }

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listsTheConfiguredBackends() {
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItem("dsml-test"))
                .body("data[0].object", equalTo("model"));
    }

    @Test
    void answersWithToolCallsAndReasoningWithoutStreaming() {
        String response = given().contentType(ContentType.JSON)
                .body(body(
                        false, "\"temperature\":0.5,\"top_p\":0.9,\"max_tokens\":300,\"seed\":3,\"stop\":[\"END\"],"))
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .extract()
                .asString();
        assertEquals(
                new CompletionRequest.Sampling(300, 0.5, 0.9, 0, 3L, List.of("END")),
                scripted.lastRequest().sampling());
        assertEquals(ThinkingMode.THINKING, scripted.lastRequest().thinking());
        assertTrue(
                scripted.lastRequest().prompt().startsWith("<｜begin▁of▁sentence｜>You are helpful.\n\n## Tools"),
                scripted.lastRequest().prompt());
        assertTrue(
                scripted.lastRequest().prompt().endsWith("<｜User｜>Weather in Zürich?<｜Assistant｜><think>"),
                scripted.lastRequest().prompt());
        JsonNode r = json(response);
        assertEquals("chat.completion", r.path("object").asText());
        assertEquals(DsmlTestBackend.REASONER, r.path("model").asText());
        JsonNode choice = r.path("choices").get(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode message = choice.path("message");
        assertEquals("assistant", message.path("role").asText());
        assertEquals("Let me check.", message.path("content").asText());
        assertEquals(
                "The user asks about the weather; I will call get_weather.",
                message.path("reasoning_content").asText());
        JsonNode calls = message.path("tool_calls");
        assertEquals(2, calls.size());
        assertTrue(calls.get(0).path("id").asText().startsWith("call_"));
        assertEquals("function", calls.get(0).path("type").asText());
        assertEquals("get_weather", calls.get(0).path("function").path("name").asText());
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(calls.get(0).path("function").path("arguments").asText()));
        assertEquals(
                json("{\"query\":\"events in \\\"Zürich\\\"\",\"limit\":3}"),
                json(calls.get(1).path("function").path("arguments").asText()));
        assertTrue(r.path("usage").path("prompt_tokens").asInt() > 100, "the codec's prompt reached the backend");
        assertEquals(
                r.path("usage").path("prompt_tokens").asInt()
                        + r.path("usage").path("completion_tokens").asInt(),
                r.path("usage").path("total_tokens").asInt());
    }

    @Test
    void streamsOpenAiChunksOverSse() {
        String sse = given().contentType(ContentType.JSON)
                .body(body(true, "\"stream_options\":{\"include_usage\":true},"))
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .contentType("text/event-stream")
                .extract()
                .asString();
        List<JsonNode> chunks = new ArrayList<>();
        boolean done = false;
        for (String event : sse.split("\n\n")) {
            assertTrue(event.startsWith("data: "), event);
            String data = event.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            assertFalse(done, "nothing after [DONE]");
            chunks.add(json(data));
        }
        assertTrue(done);
        assertEquals(
                "assistant",
                chunks.get(0).path("choices").get(0).path("delta").path("role").asText());
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        Map<Integer, StringBuilder> args = new LinkedHashMap<>();
        Map<Integer, String> names = new LinkedHashMap<>();
        String finish = null;
        for (JsonNode c : chunks) {
            assertEquals("chat.completion.chunk", c.path("object").asText());
            assertEquals(chunks.get(0).path("id").asText(), c.path("id").asText(), "one id per stream");
            if (c.path("choices").isEmpty()) {
                assertEquals(c, chunks.get(chunks.size() - 1), "usage chunk last");
                continue;
            }
            JsonNode d = c.path("choices").get(0).path("delta");
            reasoning.append(d.path("reasoning_content").asText(""));
            content.append(d.path("content").asText(""));
            for (JsonNode tc : d.path("tool_calls")) {
                int index = tc.path("index").asInt();
                if (tc.has("id")) {
                    names.put(index, tc.path("function").path("name").asText());
                }
                args.computeIfAbsent(index, i -> new StringBuilder())
                        .append(tc.path("function").path("arguments").asText(""));
            }
            if (!c.path("choices").get(0).path("finish_reason").isNull()) {
                finish = c.path("choices").get(0).path("finish_reason").asText();
            }
        }
        assertTrue(chunks.size() > 10, "streamed in many chunks: " + chunks.size());
        assertEquals("The user asks about the weather; I will call get_weather.", reasoning.toString());
        assertEquals("Let me check.", content.toString());
        assertEquals(Map.of(0, "get_weather", 1, "search"), names);
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"), json(args.get(0).toString()));
        assertEquals("tool_calls", finish);
        JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
        assertTrue(usage.path("completion_tokens").asInt() > 0);
    }

    @Test
    void chatModeAndToolChoiceNone() {
        String response = given().contentType(ContentType.JSON)
                .body(body(false, "\"thinking\":{\"type\":\"disabled\"},\"tool_choice\":\"none\","))
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode message = json(response).path("choices").get(0).path("message");
        assertEquals("You said: Weather in Zürich?", message.path("content").asText());
        assertTrue(message.path("reasoning_content").isMissingNode());
        assertTrue(message.path("tool_calls").isMissingNode());
        assertEquals(
                "stop",
                json(response).path("choices").get(0).path("finish_reason").asText());
    }

    @Test
    void invalidRequestsGetOpenAiShaped400s() {
        record Case(String body, String param) {}
        List<Case> cases = List.of(
                new Case("{not json", null),
                new Case("{\"model\":\"dsml-test\"}", "messages"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
                        "messages[0].role"),
                new Case("{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":7}",
                        "temperature"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}",
                        "max_tokens"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[1]}",
                        "stop"),
                new Case("{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}", "n"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
                        "messages[0].tool_call_id"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":"
                                + TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}}",
                        "tool_choice"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bad name!\"}}]}",
                        "tools[0].function.name"),
                new Case(
                        "{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]}",
                        "messages[0].tool_calls[0].function.arguments"));
        for (Case c : cases) {
            String response = given().contentType(ContentType.JSON)
                    .body(c.body())
                    .post("/v1/chat/completions")
                    .then()
                    .statusCode(400)
                    .contentType(ContentType.JSON)
                    .extract()
                    .asString();
            JsonNode error = json(response).path("error");
            assertEquals("invalid_request_error", error.path("type").asText(), response);
            assertFalse(error.path("message").asText().isBlank());
            if (c.param() == null) {
                assertTrue(error.path("param").isNull(), response);
            } else {
                assertEquals(c.param(), error.path("param").asText(), response);
            }
        }
    }

    @Test
    void backendFailureBeforeOutputGetsItsHttpStatus() {
        given().contentType(ContentType.JSON)
                .body(
                        "{\"model\":\"dsml-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"RATE-LIMIT\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(429)
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("rate_limited"))
                .body("error.message", notNullValue());
    }

    @Test
    void eachBackendHasAChatIdAndAReasonerIdAsDeepSeeksModels() {
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("data.find { it.id == 'dsml-test' }.thinking", equalTo(false))
                .body("data.find { it.id == 'dsml-test-reasoner' }.thinking", equalTo(true));
        String plain = given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(ThinkingMode.CHAT, scripted.lastRequest().thinking());
        JsonNode message = json(plain).path("choices").get(0).path("message");
        assertEquals("You said: Hi", message.path("content").asText(), plain);
        assertTrue(message.path("reasoning_content").isMissingNode(), plain);
        assertEquals("dsml-test", json(plain).path("model").asText());
        String reasoner = given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test-reasoner\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(ThinkingMode.THINKING, scripted.lastRequest().thinking());
        assertEquals(
                "Echo the user.",
                json(reasoner)
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("reasoning_content")
                        .asText(),
                reasoner);
        // the switches win over the id's default
        given().contentType(ContentType.JSON)
                .body(
                        "{\"model\":\"dsml-test\",\"chat_template_kwargs\":{\"thinking\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200);
        assertEquals(ThinkingMode.THINKING, scripted.lastRequest().thinking());
        given().contentType(ContentType.JSON)
                .body(
                        "{\"model\":\"dsml-test-reasoner\",\"reasoning_effort\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200);
        assertEquals(ThinkingMode.CHAT, scripted.lastRequest().thinking());
    }

    @Test
    void anUnknownModelIs404ModelNotFound() {
        String r = given().contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(404)
                .contentType(ContentType.JSON)
                .extract()
                .asString();
        JsonNode error = json(r).path("error");
        assertEquals("model_not_found", error.path("code").asText(), r);
        assertEquals("invalid_request_error", error.path("type").asText(), r);
        assertEquals("model", error.path("param").asText(), r);
        assertTrue(error.path("message").asText().contains("gpt-4o"), r);
    }

    @Test
    void responseFormatIsHonouredOrRejectedNeverIgnored() {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
        String xml = given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test\",\"response_format\":{\"type\":\"xml\"}," + user + "}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(400)
                .extract()
                .asString();
        assertEquals(
                "response_format.type", json(xml).path("error").path("param").asText(), xml);
        assertEquals(
                "invalid_request_error", json(xml).path("error").path("type").asText(), xml);
        // a text model without constrained decoding cannot promise JSON: a 400 that says so
        for (String format : List.of(
                "{\"type\":\"json_object\"}",
                "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"schema\":{\"type\":\"object\"}}}")) {
            String r = given().contentType(ContentType.JSON)
                    .body("{\"model\":\"dsml-test\",\"response_format\":" + format + "," + user + "}")
                    .post("/v1/chat/completions")
                    .then()
                    .statusCode(400)
                    .extract()
                    .asString();
            assertEquals(
                    "unsupported_response_format",
                    json(r).path("error").path("code").asText(),
                    r);
            assertEquals("response_format", json(r).path("error").path("param").asText(), r);
        }
        String schemaless = given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test\",\"response_format\":{\"type\":\"json_schema\"}," + user + "}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(400)
                .extract()
                .asString();
        assertEquals(
                "response_format.json_schema",
                json(schemaless).path("error").path("param").asText(),
                schemaless);
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test\",\"response_format\":{\"type\":\"text\"}," + user + "}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200);
    }

    @Test
    void aBusyModelIs429WithRetryAfterNever500() {
        for (boolean stream : List.of(false, true)) {
            var r = given().contentType(ContentType.JSON)
                    .body("{\"model\":\"dsml-test\",\"stream\":" + stream
                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"BUSY\"}]}")
                    .post("/v1/chat/completions")
                    .then()
                    .statusCode(429)
                    .contentType(ContentType.JSON)
                    .extract();
            assertEquals("2", r.header("Retry-After"));
            JsonNode error = json(r.asString()).path("error");
            assertEquals("rate_limit_error", error.path("type").asText());
            assertEquals("busy", error.path("code").asText());
        }
    }

    @Test
    void aPromptBeyondTheContextIs400ContextLengthExceeded() {
        String r = given().contentType(ContentType.JSON)
                .body("{\"model\":\"dsml-test\",\"messages\":[{\"role\":\"user\",\"content\":\"TOO-LONG\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(400)
                .contentType(ContentType.JSON)
                .extract()
                .asString();
        JsonNode error = json(r).path("error");
        assertEquals("context_length_exceeded", error.path("code").asText(), r);
        assertEquals("invalid_request_error", error.path("type").asText(), r);
        assertEquals("messages", error.path("param").asText(), r);
    }

    @Test
    void theOpenAiEndpointsAreInTheOpenApiDocument() {
        String doc = given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode paths = json(doc).path("paths");
        assertTrue(
                paths.has("/v1/chat/completions")
                        && paths.path("/v1/chat/completions").has("post"),
                doc);
        assertTrue(paths.has("/v1/models") && paths.path("/v1/models").has("get"), doc);
        assertTrue(paths.has("/v1/engine"), "the scanned resources are still there");
    }

    @Test
    void backendFailureAfterOutputEndsTheStreamWithAnErrorEvent() {
        String sse = given().contentType(ContentType.JSON)
                .body(
                        "{\"model\":\"dsml-test-reasoner\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"BREAK-MIDWAY\"}]}")
                .post("/v1/chat/completions")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] events = sse.split("\n\n");
        JsonNode last = json(events[events.length - 1].substring("data: ".length()));
        assertEquals("stream_interrupted", last.path("error").path("code").asText(), sse);
        assertFalse(sse.contains("[DONE]"), "a broken stream does not claim to be done");
        assertTrue(sse.contains("Partial answer"));
    }

    @Test
    void cancellingTheRemoteStreamCancelsTheGenerationBehindOurEndpoint() throws Exception {
        int before = scripted.cancellations();
        RemoteChatBackend backend = new RemoteChatBackend(selfConfig());
        AssertSubscriber<ModelChunk> s = backend.stream(new CompletionRequest(
                        List.of(ChatMessage.user("SLOW please")),
                        List.of(),
                        ThinkingMode.THINKING,
                        null,
                        CompletionRequest.Sampling.greedy(50)))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        s.awaitItems(3, Duration.ofSeconds(10));
        s.cancel();
        Await.until("the backend's generation cancelled", () -> scripted.cancellations() != before);
        assertEquals(before + 1, scripted.cancellations(), "the client going away cancelled the backend's generation");
    }

    @Test
    void requestsPickTheirBackendByModelElseTheDefault() {
        ModelBackend a = new DsmlTestBackend();
        ModelBackend b = new ModelBackend() {
            public String id() {
                return "other";
            }

            public Multi<ModelChunk> stream(CompletionRequest r) {
                return Multi.createFrom().empty();
            }
        };
        ModelBackend unconfigured = new RemoteChatBackend(new RemoteSettings() {
            public Optional<String> baseUrl() {
                return Optional.empty();
            }

            public Optional<String> apiKey() {
                return Optional.empty();
            }

            public String model() {
                return "m";
            }

            public String provider() {
                return "deepseek";
            }

            public Duration connectTimeout() {
                return Duration.ofSeconds(1);
            }

            public Duration firstTokenTimeout() {
                return Duration.ofSeconds(1);
            }

            public Duration idleTimeout() {
                return Duration.ofSeconds(1);
            }

            public int maxRetries() {
                return 0;
            }

            public Duration backoffBase() {
                return Duration.ofSeconds(1);
            }

            public Duration backoffMax() {
                return Duration.ofSeconds(1);
            }

            public Duration maxRetryAfter() {
                return Duration.ofSeconds(1);
            }

            public int breakerFailures() {
                return 1;
            }

            public Duration breakerOpen() {
                return Duration.ofSeconds(1);
            }

            public String eosText() {
                return "";
            }

            public Optional<Path> tokenizer() {
                return Optional.empty();
            }
        });
        BackendSelector withDefault = new BackendSelector(List.of(a, b, unconfigured), "other");
        assertEquals(
                List.of("dsml-test", "other"),
                withDefault.available().stream().map(ModelBackend::id).toList());
        assertEquals(
                "dsml-test", withDefault.forRequest("dsml-test").orElseThrow().id());
        assertEquals("other", withDefault.forRequest("gpt-4o").orElseThrow().id());
        assertEquals("other", withDefault.forRequest(null).orElseThrow().id());
        assertTrue(
                new BackendSelector(List.of(a, b, unconfigured), "remote")
                        .forRequest("x")
                        .isEmpty(),
                "an unconfigured remote default is not offered");
    }

    RemoteConfig selfConfig() {
        String base = root.toString();
        return RemoteConfig.of(base, DsmlTestBackend.REASONER, Provider.OPENAI).withApiKey(null);
    }

    static final List<ToolSpec> TOOL_SPECS = List.of(
            new ToolSpec(
                    "get_weather",
                    "Current weather",
                    json(
                            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"metric\":{\"type\":\"boolean\"}}}")),
            new ToolSpec(
                    "search",
                    "Web search",
                    json(
                            "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}}}")));

    @Test
    void theRemoteChatBackendDrivesOurOwnEndpoint() {
        RemoteChatBackend backend = new RemoteChatBackend(selfConfig());
        List<ChatMessage> turn = new ArrayList<>(
                List.of(ChatMessage.system("You are helpful."), ChatMessage.user("Weather in Zürich?")));
        List<ModelChunk> first = backend.stream(new CompletionRequest(
                        turn, TOOL_SPECS, ThinkingMode.THINKING, null, CompletionRequest.Sampling.greedy(400)))
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                .awaitCompletion(Duration.ofSeconds(20))
                .getItems();
        StringBuilder reasoning = new StringBuilder();
        StringBuilder text = new StringBuilder();
        List<ParseEvent.ToolCallCompleted> calls = new ArrayList<>();
        String end = null;
        ModelChunk.Usage usage = null;
        for (ModelChunk c : first) {
            if (c instanceof ModelChunk.Usage u) {
                usage = u;
            } else if (c instanceof ModelChunk.Parsed p) {
                switch (p.event()) {
                    case ParseEvent.ReasoningDelta r -> reasoning.append(r.text());
                    case ParseEvent.TextDelta t -> text.append(t.text());
                    case ParseEvent.ToolCallCompleted done -> calls.add(done);
                    case ParseEvent.End e -> end = e.reason();
                    default -> {}
                }
            }
        }
        assertEquals("The user asks about the weather; I will call get_weather.", reasoning.toString());
        assertEquals("Let me check.", text.toString());
        assertEquals(
                List.of("get_weather", "search"),
                calls.stream().map(ParseEvent.ToolCallCompleted::name).toList());
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"), json(calls.get(0).argumentsJson()));
        assertEquals("tool_calls", end);
        assertTrue(usage != null && usage.promptTokens() > 0);

        // Second round: the tool results go back (with the current turn's reasoning_content) and the answer streams.
        turn.add(ChatMessage.assistant(
                text.toString(),
                reasoning.toString(),
                List.of(
                        new ToolCall("call_a", "get_weather", calls.get(0).argumentsJson()),
                        new ToolCall("call_b", "search", calls.get(1).argumentsJson()))));
        turn.add(ChatMessage.tool("call_a", "18 °C, sunny"));
        turn.add(ChatMessage.tool("call_b", "none"));
        List<ModelChunk> second = backend.stream(new CompletionRequest(
                        turn, TOOL_SPECS, ThinkingMode.THINKING, null, CompletionRequest.Sampling.greedy(400)))
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                .awaitCompletion(Duration.ofSeconds(20))
                .getItems();
        String answer = second.stream()
                .filter(c -> c instanceof ModelChunk.Parsed p && p.event() instanceof ParseEvent.TextDelta)
                .map(c -> ((ParseEvent.TextDelta) ((ModelChunk.Parsed) c).event()).text())
                .reduce("", String::concat);
        assertEquals("It is sunny in Zürich, 18 °C. ☀️", answer);
    }

    @Test
    void theRemoteChatBackendSeesOurErrorsAsBackendExceptions() {
        RemoteChatBackend backend =
                new RemoteChatBackend(selfConfig().withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10)));
        Throwable f = backend.stream(new CompletionRequest(
                        List.of(ChatMessage.user("RATE-LIMIT")),
                        List.of(),
                        ThinkingMode.THINKING,
                        null,
                        CompletionRequest.Sampling.greedy(10)))
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                .awaitFailure(Duration.ofSeconds(10))
                .getFailure();
        BackendException e = (BackendException) f;
        assertEquals(429, e.httpStatus());
        assertTrue(e.retryable());
    }
}
