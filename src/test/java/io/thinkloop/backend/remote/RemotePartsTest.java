package io.thinkloop.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.ArgumentCoercion;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.Repair;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.ChatRequestBody;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The small parts of the remote backends: SSE framing, Retry-After, argument coercion, the circuit breaker. */
class RemotePartsTest {

    @Test
    void sseDecoderHandlesCrLfCommentsMultiLineDataAndSplitUtf8() {
        byte[] bytes =
                ": keep-alive\r\n\r\nevent: message\r\ndata: {\"a\":\r\ndata: \"Zürich 😀\"}\r\nid: 7\r\n\r\ndata:[DONE]\n\n"
                        .getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split <= bytes.length; split++) {
            SseDecoder decoder = new SseDecoder();
            List<String> events = new ArrayList<>();
            for (int i = 0; i < bytes.length; i += split) {
                events.addAll(decoder.feed(ByteBuffer.wrap(bytes, i, Math.min(split, bytes.length - i))));
            }
            assertEquals(List.of("{\"a\":\n\"Zürich 😀\"}", "[DONE]"), events, "split " + split);
            assertFalse(decoder.midEvent());
        }
    }

    @Test
    void retryAfterInSecondsOrAsHttpDate() {
        assertEquals(Duration.ofSeconds(2), SseStreamer.parseRetryAfter("2"));
        assertEquals(Duration.ofMillis(1500), SseStreamer.parseRetryAfter(" 1.5 "));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        Duration d = SseStreamer.parseRetryAfter(date);
        assertTrue(d.toSeconds() >= 27 && d.toSeconds() <= 30, d.toString());
        assertNull(SseStreamer.parseRetryAfter("soon"));
    }

    @Test
    void quotedScalarsAreCoercedBySchemaAndOthersLeftAlone() {
        // Arguments a server parsed itself go through the codec's one coercion rule.
        JsonNode schema = RemoteChatBackendTest.TOOLS.get(1).parameters(); // search(query: string, limit: integer)
        ArgumentCoercion.Coerced r = ArgumentCoercion.coerceArguments("{\"query\": \"42\", \"limit\": \"5\"}", schema);
        assertEquals("{\"query\":\"42\",\"limit\":5}", r.json());
        assertEquals(
                List.of("schema_coercion"),
                r.repairs().stream().map(Repair::kind).toList());
        ArgumentCoercion.Coerced untouched =
                ArgumentCoercion.coerceArguments("{\"query\": \"x\", \"limit\": 5}", schema);
        assertEquals("{\"query\": \"x\", \"limit\": 5}", untouched.json(), "valid arguments keep their exact text");
        assertTrue(untouched.repairs().isEmpty());
        assertEquals("{}", ArgumentCoercion.coerceArguments("", schema).json());
        ArgumentCoercion.Coerced broken = ArgumentCoercion.coerceArguments("{\"query\": \"x\"", schema);
        assertEquals("invalid_arguments_json", broken.repairs().get(0).kind());
        assertEquals("{\"query\": \"x\"", broken.json());
    }

    @Test
    void theRicherRuleReadsAnyOfOneOfAndEnum() {
        JsonNode schema = RemoteChatBackendTest.json("""
                {"type":"object","properties":{
                  "n":{"anyOf":[{"type":"integer"},{"type":"null"}]},
                  "on":{"oneOf":[{"type":"boolean"}]},
                  "level":{"enum":[1,2,3]},
                  "tag":{"anyOf":[{"type":"string"},{"type":"integer"}]},
                  "point":{"type":"object"}}}""");
        ArgumentCoercion.Coerced r = ArgumentCoercion.coerceArguments(
                "{\"n\":\"7\",\"on\":\"true\",\"level\":\"2\",\"tag\":\"9\",\"point\":\"{\\\"x\\\": 1}\"}", schema);
        assertEquals(
                RemoteChatBackendTest.json("{\"n\":7,\"on\":true,\"level\":2,\"tag\":\"9\",\"point\":{\"x\":1}}"),
                RemoteChatBackendTest.json(r.json()),
                "a string stays a string where the schema allows one");
        assertEquals(4, r.repairs().size());
        assertEquals(
                "{\"n\":\"seven\"}",
                ArgumentCoercion.coerceArguments("{\"n\":\"seven\"}", schema).json(),
                "text that is none of the allowed types is left as sent");
    }

    @Test
    void circuitBreakerOpensHalfOpensAndCloses() {
        AtomicLong now = new AtomicLong();
        CircuitBreaker b = new CircuitBreaker(3, Duration.ofSeconds(10), now::get);
        for (int i = 0; i < 3; i++) {
            assertTrue(b.tryAcquire());
            b.onFailure();
        }
        assertFalse(b.tryAcquire());
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(b.tryAcquire(), "one trial after the open period");
        assertFalse(b.tryAcquire(), "only one trial at a time");
        b.onFailure();
        assertFalse(b.tryAcquire(), "a failed trial re-opens");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(b.tryAcquire());
        b.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        assertTrue(b.tryAcquire());
    }

    @Test
    void aResponseFormatOnTheSystemMessageIsPassedThroughToTheServer() {
        var format = Json.MAPPER.createObjectNode().put("type", "json_object");
        var request = new CompletionRequest(
                List.of(
                        new ChatMessage(ChatMessage.Role.SYSTEM, "Answer in JSON.", null, null, null, null, format),
                        ChatMessage.user("Hi")),
                List.of(),
                ThinkingMode.CHAT,
                null,
                CompletionRequest.Sampling.greedy(10));
        var body = ChatRequestBody.build("m", request, false);
        assertEquals(format, body.get("response_format"));
        assertFalse(body.get("messages").get(0).has("response_format"), "once, at the top level: " + body);
        assertNull(ChatRequestBody.build(
                        "m",
                        new CompletionRequest(
                                List.of(ChatMessage.user("Hi")),
                                List.of(),
                                ThinkingMode.CHAT,
                                null,
                                CompletionRequest.Sampling.greedy(10)),
                        false)
                .get("response_format"));
    }
}
