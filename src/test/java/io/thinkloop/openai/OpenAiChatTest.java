package io.thinkloop.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one reader and the one writer of the OpenAI chat shape agree, and every reader gets the same errors. */
class OpenAiChatTest {
    private static final ToolSpec WEATHER = new ToolSpec(
            "get_weather",
            "Current weather",
            json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void whatTheRequestWriterWritesTheReaderReadsBack() {
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("be brief", List.of(WEATHER)),
                ChatMessage.user("Weather in Zürich?"),
                ChatMessage.assistant(
                        null, "need the tool", List.of(new ToolCall("c1", "get_weather", "{\"city\": \"Zürich\"}"))),
                ChatMessage.tool("c1", "sunny"));
        ObjectNode body = ChatRequestBody.build(
                "m",
                new CompletionRequest(
                        conversation, List.of(), ThinkingMode.THINKING, null, CompletionRequest.Sampling.greedy(16)),
                false);
        // the system message's tools travel as the request's tools; every other message comes back as it went
        assertEquals(List.of(WEATHER), OpenAiChat.tools(body.get("tools"), "tools"));
        List<ChatMessage> read = OpenAiChat.messages(body.get("messages"));
        assertEquals(ChatMessage.system("be brief"), read.getFirst());
        assertEquals(conversation.subList(1, 4), read.subList(1, 4));
        assertTrue(
                body.path("messages").get(2).path("content").isNull(),
                "a message that only calls tools has content null");
    }

    @Test
    void reasoningOfEarlierTurnsIsNotSentBack() {
        List<ChatMessage> conversation =
                List.of(ChatMessage.user("a"), ChatMessage.assistant("b", "old thoughts", null), ChatMessage.user("c"));
        ObjectNode body = ChatRequestBody.build(
                "m", new CompletionRequest(conversation, List.of(), ThinkingMode.THINKING, null, null), true);
        assertFalse(body.path("messages").get(1).has("reasoning_content"));
        assertNull(OpenAiChat.messages(body.get("messages")).get(1).reasoningContent());
    }

    @Test
    void everyReaderGetsTheSameErrorNamingTheField() {
        String messages = "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"x\"}]";
        OpenAiError direct = assertThrows(OpenAiError.class, () -> OpenAiChat.messages(json(messages)));
        assertEquals(400, direct.status());
        assertEquals(
                "messages[1].tool_call_id",
                direct.toJson().path("error").path("param").asText());
        // the endpoint's request parser reports the very same error
        OpenAiError endpoint = assertThrows(
                OpenAiError.class,
                () -> ChatRequestParser.parse(json("{\"model\":\"m\",\"messages\":" + messages + "}"), "b", 16));
        assertEquals(direct.toJson(), endpoint.toJson());
        // and the codec's golden-case check, which reads its cases in the same shape, names it too
        String reason =
                GoldenCases.checkCase(json("{\"kind\":\"encode\",\"input\":{\"thinking_mode\":\"chat\",\"messages\":"
                        + messages + "},\"expected\":\"\"}"));
        assertTrue(reason.contains("tool_call_id"), reason);
    }

    @Test
    void argumentsSentAsAnObjectBecomeJsonTextInTheCodecsForm() {
        ChatMessage m = OpenAiChat.messages(
                        json("[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1,\"b\":[true]}}}]}]"))
                .getFirst();
        assertEquals(
                new ToolCall("c", "f", "{\"a\": 1, \"b\": [true]}"),
                m.toolCalls().getFirst());
        assertNull(m.content());
        OpenAiError notAnObject = assertThrows(
                OpenAiError.class,
                () -> OpenAiChat.messages(
                        json(
                                "[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]")));
        assertEquals(
                "messages[0].tool_calls[0].function.arguments",
                notAnObject.toJson().path("error").path("param").asText());
    }
}
