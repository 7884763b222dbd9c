package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.thinkloop.json.Json;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real third-party OpenAI clients against Thinkloop's endpoint (served by {@link DsmlTestBackend} through the
 * real codec): the official {@code openai} npm package (run by node) and LangChain4j's OpenAI models.
 */
@QuarkusTest
class OpenAiClientsTest {
    @TestHTTPResource("/")
    URL root;

    String base() {
        String s = root.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static String run(Duration timeout, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " timed out; stderr: " + err.getNow(""));
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + err.get() + out.get());
        return out.get();
    }

    static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void officialOpenAiNodeClientStreamsWithTools() throws Exception {
        run(Duration.ofMinutes(5), "bash", new File("src/test/setup.sh").getAbsolutePath());
        String out = run(
                Duration.ofSeconds(60),
                "node",
                new File("src/test/node/openai-chat-tools.mjs").getAbsolutePath(),
                base(),
                DsmlTestBackend.REASONER);
        JsonNode r = json(out.strip().lines().reduce((a, b) -> b).orElseThrow());

        assertTrue(r.path("models").toString().contains("\"dsml-test\""), r.toString());
        JsonNode s = r.path("streamed");
        assertEquals(
                "The user asks about the weather; I will call get_weather.",
                s.path("reasoning").asText());
        assertEquals("Let me check.", s.path("content").asText());
        assertEquals("tool_calls", s.path("finish").asText());
        assertEquals(2, s.path("calls").size());
        assertEquals("get_weather", s.path("calls").get(0).path("name").asText());
        assertTrue(s.path("calls").get(0).path("id").asText().startsWith("call_"));
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(s.path("calls").get(0).path("arguments").asText()));
        assertEquals("search", s.path("calls").get(1).path("name").asText());
        assertEquals(
                json("{\"query\":\"events in \\\"Zürich\\\"\",\"limit\":3}"),
                json(s.path("calls").get(1).path("arguments").asText()));
        assertTrue(s.path("usage").path("prompt_tokens").asInt() > 0);
        assertTrue(s.path("chunks").asInt() > 10);

        JsonNode f = r.path("final");
        assertEquals(
                "It is sunny in Zürich, 18 °C. ☀️",
                f.path("message").path("content").asText());
        assertEquals(
                "The tool answered: [].",
                f.path("message").path("reasoning_content").asText());
        assertEquals("stop", f.path("finish").asText());

        JsonNode h = r.path("helper");
        assertEquals("tool_calls", h.path("finish").asText());
        assertEquals(
                "get_weather",
                h.path("message")
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("name")
                        .asText());
        assertEquals(
                json("{\"city\":\"Zürich\",\"metric\":true}"),
                json(h.path("message")
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asText()));

        assertEquals(
                429, r.path("error").path("status").asInt(), r.path("error").toString());
        assertEquals("RateLimitError", r.path("error").path("type").asText());
    }

    static final ToolSpecification WEATHER = ToolSpecification.builder()
            .name("get_weather")
            .description("Current weather")
            .parameters(JsonObjectSchema.builder()
                    .addStringProperty("city")
                    .addBooleanProperty("metric")
                    .required("city")
                    .build())
            .build();

    @Test
    void langChain4jStreamingModelWithToolsAndThinking() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(base() + "/v1")
                .apiKey("unused")
                .modelName(DsmlTestBackend.REASONER)
                .returnThinking(true)
                .sendThinking(true)
                .timeout(Duration.ofSeconds(30))
                .build();
        List<ChatMessage> messages = new ArrayList<>(
                List.of(SystemMessage.from("You are helpful."), UserMessage.from("Weather in Zürich?")));
        StringBuilder partialText = new StringBuilder();
        StringBuilder partialThinking = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(
                ChatRequest.builder()
                        .messages(messages)
                        .toolSpecifications(WEATHER)
                        .build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        partialText.append(partial);
                    }

                    @Override
                    public void onPartialThinking(PartialThinking thinking) {
                        partialThinking.append(thinking.text());
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        AiMessage ai = response.aiMessage();
        assertEquals("The user asks about the weather; I will call get_weather.", partialThinking.toString());
        assertEquals("The user asks about the weather; I will call get_weather.", ai.thinking());
        assertEquals("Let me check.", partialText.toString());
        assertEquals(FinishReason.TOOL_EXECUTION, response.finishReason());
        assertEquals(1, ai.toolExecutionRequests().size());
        ToolExecutionRequest call = ai.toolExecutionRequests().get(0);
        assertEquals("get_weather", call.name());
        assertEquals(json("{\"city\":\"Zürich\",\"metric\":true}"), json(call.arguments()));
        assertNotNull(call.id());
        assertTrue(response.tokenUsage().inputTokenCount() > 0);

        // The tool result goes back (LangChain4j sends the thinking as reasoning_content) and the answer comes.
        OpenAiChatModel blocking = OpenAiChatModel.builder()
                .baseUrl(base() + "/v1")
                .apiKey("unused")
                .modelName(DsmlTestBackend.REASONER)
                .returnThinking(true)
                .sendThinking(true)
                .timeout(Duration.ofSeconds(30))
                .build();
        messages.add(ai);
        messages.add(ToolExecutionResultMessage.from(call, "18 °C, sunny"));
        ChatResponse answer = blocking.chat(ChatRequest.builder()
                .messages(messages)
                .toolSpecifications(WEATHER)
                .build());
        assertEquals("It is sunny in Zürich, 18 °C. ☀️", answer.aiMessage().text());
        assertEquals("The tool answered: 18 °C, sunny.", answer.aiMessage().thinking());
        assertEquals(FinishReason.STOP, answer.finishReason());
    }
}
