package io.thinkloop.runtime;

import static io.thinkloop.testkit.FakeBackend.answer;
import static io.thinkloop.testkit.FakeBackend.callTools;
import static io.thinkloop.testkit.FakeBackend.parsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.agent.AgentService;
import io.thinkloop.agent.TurnLimits;
import io.thinkloop.api.SessionSocket;
import io.thinkloop.backend.remote.CircuitBreaker;
import io.thinkloop.backend.remote.Provider;
import io.thinkloop.backend.remote.RemoteChatBackend;
import io.thinkloop.backend.remote.RemoteConfig;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.session.SessionManager;
import io.thinkloop.testkit.Await;
import io.thinkloop.tools.ToolRegistry;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent loop through the real WebSocket API: a scripted backend (test double for the model) and
 * real local tools, asserting on the events a client receives and the requests the backend received.
 */
@QuarkusTest
@TestProfile(RuntimeTestProfile.class)
class AgentSessionTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    ScriptedTestBackend backend;

    @Inject
    ToolRegistry tools;

    @Inject
    SessionManager sessions;

    @Inject
    AgentService agent;

    @BeforeEach
    void registerTools() {
        tools.register(TestTools.sleep());
        tools.register(TestTools.hang());
        tools.register(TestTools.guarded());
        tools.register(TestTools.dangerous());
    }

    static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    static int indexOf(List<JsonNode> events, String type, String toolCallId) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).path("type").asText().equals(type)
                    && events.get(i).path("toolCallId").asText().equals(toolCallId)) {
                return i;
            }
        }
        return -1;
    }

    static Map<String, Object> userMessage(String content) {
        return Map.of("type", "user_message", "content", content);
    }

    @Test
    void newSessionStartsWithSessionCreatedAndAnswers() {
        String id = newId("hello");
        String msg = "hello " + id;
        backend.script(msg, answer("thinking about it", "Hi there"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            JsonNode created = c.next(Duration.ofSeconds(5));
            assertEquals("session.created", created.path("type").asText());
            assertEquals(1, created.path("v").asInt());
            assertEquals(id, created.path("sessionId").asText());
            assertEquals(1, created.path("seq").asLong());
            c.send(userMessage(msg));
            List<JsonNode> turn = c.untilTurnEnd();
            assertEquals(
                    List.of("turn.started", "reasoning.delta", "text.delta", "usage", "turn.completed"),
                    WsClient.types(turn));
            JsonNode done = turn.getLast();
            assertEquals("stop", done.path("finishReason").asText());
            String turnId = turn.getFirst().path("turnId").asText();
            assertTrue(turn.stream().allMatch(e -> e.path("turnId").asText().equals(turnId)));
            for (int i = 0; i < turn.size(); i++) {
                assertEquals(2 + i, turn.get(i).path("seq").asLong(), "seq numbers events without gaps");
            }
        }
    }

    @Test
    void twoToolCallsRunInParallelAndResultsReturnInModelOrder() {
        String id = newId("par");
        String msg = "parallel " + id;
        // the first call takes longer, so results arrive out of the model's order
        backend.script(
                msg,
                callTools("need both", "sleep", "{\"ms\":300}", "sleep", "{\"ms\":150}"),
                answer(null, "both done"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            List<JsonNode> completed = ofType(events, "tool_call.completed");
            assertEquals(2, completed.size());
            String a = completed.get(0).path("toolCallId").asText();
            String b = completed.get(1).path("toolCallId").asText();
            // parallel: both started before either finished
            int lastExecuting = Math.max(indexOf(events, "tool.executing", a), indexOf(events, "tool.executing", b));
            int firstResult = Math.min(indexOf(events, "tool.result", a), indexOf(events, "tool.result", b));
            assertTrue(
                    lastExecuting >= 0 && lastExecuting < firstResult,
                    "both tools executing before the first result: " + WsClient.types(events));
            JsonNode resultA = events.get(indexOf(events, "tool.result", a));
            assertFalse(resultA.path("isError").asBoolean());
            assertEquals("slept 300", resultA.path("content").asText());
            assertTrue(resultA.path("latencyMs").asLong() >= 290);
            assertEquals("stop", events.getLast().path("finishReason").asText());
            assertEquals(2, events.getLast().path("steps").asInt());
            // fed back in the model's order, with the assistant's call message and reasoning kept in the history
            List<CompletionRequest> reqs = backend.requests(msg);
            assertEquals(2, reqs.size());
            List<ChatMessage> second = reqs.get(1).messages();
            ChatMessage call = second.get(second.size() - 3);
            assertEquals(ChatMessage.Role.ASSISTANT, call.role());
            assertEquals("need both", call.reasoningContent());
            assertEquals(
                    List.of(a, b), call.toolCalls().stream().map(tc -> tc.id()).toList());
            assertEquals(a, second.get(second.size() - 2).toolCallId());
            assertEquals("slept 300", second.get(second.size() - 2).content());
            assertEquals(b, second.getLast().toolCallId());
            assertEquals("slept 150", second.getLast().content());
            // the system message offers the registered tools
            assertEquals(ChatMessage.Role.SYSTEM, second.getFirst().role());
            assertTrue(second.getFirst().tools().stream().anyMatch(t -> t.name().equals("sleep")));
        }
    }

    @Test
    void reasoningIsKeptAcrossToolCallsAndDroppedAtTheNextUserMessage() {
        String id = newId("reason");
        String msg = "reason " + id;
        backend.script(
                msg,
                callTools("FIRST-THOUGHT", "sleep", "{\"ms\":1}"),
                answer("SECOND-THOUGHT", "A1"),
                answer("THIRD-THOUGHT", "A2"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            c.untilTurnEnd();
            c.send(userMessage("second question"));
            c.untilTurnEnd();
        }
        List<CompletionRequest> reqs = backend.requests(msg);
        assertEquals(3, reqs.size());
        // the prompts the backend received, encoded by the codec in thinking mode
        String first = reqs.get(0).prompt();
        String afterTool = reqs.get(1).prompt();
        String nextTurn = reqs.get(2).prompt();
        assertEquals(ThinkingMode.THINKING, reqs.get(2).thinking());
        assertTrue(first.endsWith("<｜Assistant｜><think>"), first);
        assertTrue(afterTool.startsWith(first), "the prompt grows by appending within a turn");
        assertTrue(
                afterTool.contains("FIRST-THOUGHT"),
                "reasoning of the current turn stays across tool calls: " + afterTool);
        assertTrue(afterTool.contains("slept 1"));
        assertFalse(
                nextTurn.contains("FIRST-THOUGHT"),
                "earlier reasoning is dropped at the next user message: " + nextTurn);
        assertFalse(nextTurn.contains("SECOND-THOUGHT"), nextTurn);
        assertTrue(nextTurn.contains("slept 1"), "tool results stay");
        assertTrue(nextTurn.contains("invoke name=\"sleep\""), "tool calls stay");
        assertTrue(nextTurn.contains("A1") && nextTurn.endsWith("second question<｜Assistant｜><think>"), nextTurn);
        // the session itself keeps every step's reasoning (the transcript); encode decides what a prompt shows
        List<String> kept = reqs.get(2).messages().stream()
                .filter(m -> m.role() == ChatMessage.Role.ASSISTANT)
                .map(ChatMessage::reasoningContent)
                .toList();
        assertEquals(List.of("FIRST-THOUGHT", "SECOND-THOUGHT"), kept);
        assertEquals(DeepSeekV32Codec.encode(reqs.get(2).messages(), ThinkingMode.THINKING, true, true), nextTurn);
    }

    /** Raw model text (what the embedded engine emits) goes through the codec's lenient streaming parser. */
    @Test
    void rawModelTextIsParsedIncrementally() {
        String id = newId("raw");
        String msg = "raw " + id;
        var tools = List.of(TestTools.sleep().spec());
        var user = List.of(ChatMessage.system("", tools), ChatMessage.user(msg));
        var call = new ToolCall("c0", "sleep", "{\"ms\": 5}");
        var withCall = new ArrayList<>(user);
        withCall.add(ChatMessage.assistant("", "RAW-THOUGHT", List.of(call)));
        String completion1 = completion(user, withCall);
        withCall.add(ChatMessage.tool("c0", "slept 5"));
        var answered = new ArrayList<>(withCall);
        answered.add(ChatMessage.assistant("raw answer", "RAW-SECOND", null));
        String completion2 = completion(withCall, answered);
        backend.script(msg, r -> chunked(completion1), r -> chunked(completion2));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            assertEquals(
                    "RAW-THOUGHTRAW-SECOND",
                    String.join(
                            "",
                            ofType(events, "reasoning.delta").stream()
                                    .map(e -> e.path("text").asText())
                                    .toList()));
            assertEquals(
                    "raw answer",
                    String.join(
                            "",
                            ofType(events, "text.delta").stream()
                                    .map(e -> e.path("text").asText())
                                    .toList()));
            JsonNode completed = ofType(events, "tool_call.completed").getFirst();
            assertEquals("sleep", completed.path("name").asText());
            assertEquals(
                    5,
                    Json.MAPPER
                            .readTree(completed.path("arguments").asText())
                            .path("ms")
                            .asInt());
            assertEquals(
                    completed.path("arguments").asText(),
                    String.join(
                            "",
                            ofType(events, "tool_call.arguments.delta").stream()
                                    .map(e -> e.path("delta").asText())
                                    .toList()));
            assertEquals(
                    "slept 5",
                    ofType(events, "tool.result").getFirst().path("content").asText());
            assertEquals("stop", events.getLast().path("finishReason").asText());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** What the model writes after the prompt of {@code before} to produce {@code after}. */
    private static String completion(List<ChatMessage> before, List<ChatMessage> after) {
        var mode = ThinkingMode.THINKING;
        String prompt = DeepSeekV32Codec.encode(before, mode, true, true);
        String full = DeepSeekV32Codec.encode(after, mode, false, true);
        assertTrue(full.startsWith(prompt));
        return full.substring(prompt.length());
    }

    private static Multi<ModelChunk> chunked(String text) {
        List<ModelChunk> chunks = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 5) {
            chunks.add(new ModelChunk.Text(text.substring(i, Math.min(text.length(), i + 5))));
        }
        return Multi.createFrom().iterable(chunks);
    }

    /** Raw model text in chunks with token ids and logprobs (the third chunk without logprobs). */
    private static Multi<ModelChunk> withTokens() {
        return Multi.createFrom()
                .items(
                        new ModelChunk.Text("let me ", new int[] {11, 12}, new float[] {-0.5f, -0.25f}),
                        new ModelChunk.Text("see</think>", new int[] {13}, new float[] {-1.0f}),
                        new ModelChunk.Text("Hello ", new int[] {14}, null),
                        new ModelChunk.Text("there<｜end▁of▁sentence｜>", new int[] {15, 16}, new float[] {-0.125f, 0f}),
                        new ModelChunk.Usage(10, 6, 3));
    }

    @Test
    void tokensEventsComeOnlyWhenAskedInOrderAndJournaled() throws Exception {
        String id = newId("tokens");
        String msg = "tokens " + id;
        backend.script(msg, r -> withTokens(), r -> withTokens());
        try (WsClient c = WsClient.connect(base, id, null)) {
            List<JsonNode> all = new ArrayList<>();
            all.add(c.next(Duration.ofSeconds(5)));
            c.send(userMessage(msg));
            List<JsonNode> plain = c.untilTurnEnd();
            all.addAll(plain);
            assertEquals("stop", plain.getLast().path("finishReason").asText());
            assertTrue(ofType(plain, "tokens").isEmpty(), "no tokens events unless asked: " + WsClient.types(plain));

            c.send(Map.of("type", "user_message", "content", "again", "includeTokens", true));
            List<JsonNode> asked = c.untilTurnEnd();
            all.addAll(asked);
            assertEquals("stop", asked.getLast().path("finishReason").asText());
            String answer = ofType(asked, "text.delta").stream()
                    .map(e -> e.path("text").asText())
                    .reduce("", String::concat);
            assertEquals("Hello there", answer);
            List<JsonNode> tokens = ofType(asked, "tokens");
            assertEquals(4, tokens.size(), "one tokens event per chunk with ids: " + WsClient.types(asked));
            List<Integer> ids = new ArrayList<>();
            tokens.forEach(t -> t.path("ids").forEach(i -> ids.add(i.asInt())));
            assertEquals(List.of(11, 12, 13, 14, 15, 16), ids);
            assertEquals(List.of(-0.5, -0.25), floats(tokens.get(0).path("logprobs")));
            assertEquals(List.of(-1.0), floats(tokens.get(1).path("logprobs")));
            assertTrue(tokens.get(2).path("logprobs").isMissingNode(), "no logprobs from the backend: field absent");
            assertEquals(List.of(-0.125, 0.0), floats(tokens.get(3).path("logprobs")));
            assertTrue(tokens.stream().allMatch(t -> t.path("step").asInt(-1) == 0));
            // the tokens of a chunk follow the deltas it produced, and usage still closes the generation
            assertTrue(asked.indexOf(tokens.getLast())
                    < asked.indexOf(ofType(asked, "usage").getFirst()));
            var schemas = ProtocolDocs.eventSchemas();
            for (JsonNode t : tokens) {
                assertTrue(schemas.get("tokens").validate(t).isEmpty(), "tokens matches its schema: " + t);
            }
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).path("seq").asLong(), "seq stays contiguous: " + WsClient.types(all));
            }
            // journaled: a resume replays the tokens events exactly
            long before = asked.getFirst().path("seq").asLong() - 1;
            try (WsClient r = WsClient.connect(base, id, null)) {
                r.send(Map.of("type", "resume", "lastSeq", before));
                List<JsonNode> replay = r.untilTurnEnd();
                assertEquals(
                        asked.stream().map(JsonNode::toString).toList(),
                        replay.stream().map(JsonNode::toString).toList());
            }
        }
    }

    private static List<Double> floats(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }

    @Test
    void cancelDuringGenerationStopsTheModelStream() throws Exception {
        String id = newId("cgen");
        String msg = "cancel generation " + id;
        CountDownLatch streamCancelled = new CountDownLatch(1);
        backend.script(
                msg,
                r -> Multi.createFrom()
                        .ticks()
                        .every(Duration.ofMillis(20))
                        .map(i -> parsed(new ParseEvent.TextDelta("t" + i)))
                        .onCancellation()
                        .invoke(streamCancelled::countDown));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            c.until("text.delta");
            c.send(Map.of("type", "cancel"));
            List<JsonNode> rest = c.untilTurnEnd();
            assertEquals("cancelled", rest.getLast().path("type").asText());
            assertTrue(streamCancelled.await(2, TimeUnit.SECONDS), "the model stream saw the cancel");
        }
    }

    @Test
    void cancelBeforeTheFirstToken() throws Exception {
        String id = newId("cfirst");
        String msg = "cancel early " + id;
        CountDownLatch streamCancelled = new CountDownLatch(1);
        backend.script(
                msg,
                r -> Multi.createFrom().<ModelChunk>nothing().onCancellation().invoke(streamCancelled::countDown));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            c.until("turn.started");
            c.send(Map.of("type", "cancel"));
            List<JsonNode> rest = c.untilTurnEnd();
            assertEquals(List.of("cancelled"), WsClient.types(rest));
            assertTrue(streamCancelled.await(2, TimeUnit.SECONDS));
        }
    }

    @Test
    void cancelDuringAToolCallReachesTheTool() throws Exception {
        String id = newId("ctool");
        String msg = "cancel tool " + id;
        backend.script(msg, callTools(null, "hang", "{}"));
        CountDownLatch toolCancelled = TestTools.cancellations(id);
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            c.until("tool.executing");
            c.send(Map.of("type", "cancel"));
            List<JsonNode> rest = c.untilTurnEnd();
            assertEquals("cancelled", rest.getLast().path("type").asText());
            JsonNode result = ofType(rest, "tool.result").getFirst();
            assertTrue(result.path("isError").asBoolean());
            assertEquals("cancelled", result.path("status").asText());
            assertTrue(toolCancelled.await(2, TimeUnit.SECONDS), "the tool's Uni was cancelled");
            // the session stays usable and its history well-formed (the call has a result)
            c.send(userMessage("after cancel"));
            assertEquals("stop", c.untilTurnEnd().getLast().path("finishReason").asText());
        }
        List<ChatMessage> last = backend.requests(msg).getLast().messages();
        assertEquals(ChatMessage.Role.TOOL, last.get(last.size() - 2).role());
    }

    @Test
    void stepCapEndsWithOneGenerationWithoutTools() {
        String id = newId("cap");
        String msg = "loop forever " + id;
        var again = callTools(null, "sleep", "{\"ms\":1}");
        backend.script(msg, again, again, again, callTools("still wants tools", "sleep", "{\"ms\":1}"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            JsonNode done = events.getLast();
            assertEquals("max_steps", done.path("finishReason").asText());
            assertEquals(4, done.path("steps").asInt());
            assertEquals(3, ofType(events, "tool.result").size(), "the last generation's call is not run");
        }
        List<CompletionRequest> reqs = backend.requests(msg);
        assertEquals(4, reqs.size());
        assertFalse(reqs.get(2).tools().isEmpty());
        assertTrue(reqs.get(3).tools().isEmpty(), "the last generation is offered no tools");
        assertNull(reqs.get(3).messages().getFirst().tools());
    }

    @Test
    void aToolTimeoutBecomesAnErrorResultTheModelSees() throws Exception {
        String id = newId("tmo");
        String msg = "timeout " + id;
        backend.script(msg, callTools(null, "hang", "{}"), answer(null, "it timed out"));
        CountDownLatch toolCancelled = TestTools.cancellations(id);
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            JsonNode result = ofType(events, "tool.result").getFirst();
            assertTrue(result.path("isError").asBoolean());
            assertTrue(result.path("content").asText().contains("timed out"), result.toString());
            assertEquals("timeout", result.path("status").asText(), result.toString());
            assertTrue(result.path("latencyMs").asLong() >= 900);
            assertEquals("stop", events.getLast().path("finishReason").asText());
            assertTrue(toolCancelled.await(2, TimeUnit.SECONDS), "the timed-out call was cancelled");
        }
        assertTrue(backend.requests(msg).get(1).messages().getLast().content().contains("timed out"));
    }

    @Test
    void invalidArgumentsAndUnknownToolsAreErrorsTheModelCanRecoverFrom() {
        String id = newId("bad");
        String msg = "bad calls " + id;
        backend.script(
                msg,
                callTools(null, "sleep", "{\"ms\":\"soon\"}", "no_such_tool", "{}", "sleep", "not json"),
                callTools(null, "sleep", "{\"ms\":5}"),
                answer(null, "recovered"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            List<JsonNode> results = ofType(events, "tool.result");
            assertEquals(4, results.size(), events.toString());
            assertTrue(results.get(0).path("isError").asBoolean());
            assertTrue(
                    results.get(0).path("content").asText().startsWith("invalid arguments for sleep"),
                    results.get(0).toString());
            assertTrue(results.get(1).path("content").asText().startsWith("unknown tool 'no_such_tool'"));
            assertTrue(results.get(2).path("content").asText().startsWith("arguments are not valid JSON"));
            assertEquals(
                    List.of("error", "error", "error", "ok"),
                    results.stream().map(r -> r.path("status").asText()).toList());
            assertFalse(results.get(3).path("isError").asBoolean());
            assertEquals("stop", events.getLast().path("finishReason").asText());
            assertEquals(3, events.getLast().path("steps").asInt());
        }
    }

    @Test
    void approvalAskApproveAndDeny() {
        String id = newId("appr");
        String msg = "approve " + id;
        backend.script(
                msg, callTools(null, "guarded", "{}", "dangerous", "{}", "sleep", "{\"ms\":1}"), answer(null, "fine"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> first = c.until("approval.requested");
            List<JsonNode> second = c.until("approval.requested");
            String guarded = first.getLast().path("toolCallId").asText();
            String dangerous = second.getLast().path("toolCallId").asText();
            assertEquals("guarded", first.getLast().path("name").asText());
            assertEquals("dangerous", second.getLast().path("name").asText());
            c.send(Map.of("type", "approve", "toolCallId", "call_nonexistent"));
            c.send(Map.of("type", "approve", "toolCallId", guarded));
            c.send(Map.of("type", "deny", "toolCallId", dangerous, "reason", "too risky"));
            List<JsonNode> events = c.untilTurnEnd();
            List<JsonNode> all = new ArrayList<>(first);
            all.addAll(second);
            all.addAll(events);
            JsonNode unknown = all.stream()
                    .filter(e -> e.path("type").asText().equals("error"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("unknown_tool_call", unknown.path("code").asText());
            assertEquals(0, unknown.path("seq").asLong(), "connection-local errors are not part of the stream");
            assertTrue(indexOf(all, "tool.executing", guarded) > 0);
            assertEquals(
                    "guarded done",
                    all.get(indexOf(all, "tool.result", guarded))
                            .path("content")
                            .asText());
            assertEquals(
                    "ok",
                    all.get(indexOf(all, "tool.result", guarded)).path("status").asText());
            assertEquals(-1, indexOf(all, "tool.executing", dangerous));
            JsonNode denied = all.get(indexOf(all, "tool.result", dangerous));
            assertTrue(denied.path("isError").asBoolean());
            assertEquals("denied by user: too risky", denied.path("content").asText());
            assertEquals("denied", denied.path("status").asText());
            assertEquals("stop", events.getLast().path("finishReason").asText());
        }
    }

    @Test
    void malformedFramesGetErrorsAndTheSessionStaysUsable() {
        String id = newId("frames");
        String msg = "after bad frames " + id;
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.until("session.created");
            c.send("this is not json");
            assertEquals("invalid_json", c.until("error").getLast().path("code").asText());
            c.send("{\"type\":\"teleport\"}");
            assertEquals("unknown_type", c.until("error").getLast().path("code").asText());
            c.send("[1,2,3]");
            assertEquals(
                    "invalid_message", c.until("error").getLast().path("code").asText());
            c.send("{\"content\":\"no type\"}");
            assertEquals(
                    "invalid_message", c.until("error").getLast().path("code").asText());
            c.send("{\"type\":\"user_message\",\"content\":\"" + "x".repeat(5000) + "\"}");
            assertEquals(
                    "message_too_large", c.until("error").getLast().path("code").asText());
            c.send("{\"type\":\"user_message\"}");
            assertEquals(
                    "invalid_message", c.until("error").getLast().path("code").asText());
            c.send("{\"type\":\"cancel\"}");
            assertEquals(
                    "no_active_turn", c.until("error").getLast().path("code").asText());
            c.send(userMessage(msg));
            List<JsonNode> turn = c.untilTurnEnd();
            assertEquals(
                    "ok", ofType(turn, "text.delta").getFirst().path("text").asText());
        }
    }

    @Test
    void aFloodOfFramesIsRateLimited() throws Exception {
        String id = newId("flood");
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.until("session.created");
            for (int i = 0; i < 100; i++) {
                c.send("{\"type\":\"cancel\"}");
            }
            List<JsonNode> errors = new ArrayList<>();
            while (errors.stream().noneMatch(e -> e.path("code").asText().equals("rate_limited"))) {
                errors.add(c.until("error").getLast());
            }
            long rejected = errors.stream()
                    .filter(e -> e.path("code").asText().equals("no_active_turn"))
                    .count();
            assertTrue(rejected >= 20 && rejected <= 60, "about a burst of messages handled, got " + rejected);
            // The bucket refills with time (its arithmetic is ConnectionLimitsTest's, on a fake clock): a user
            // message is served again. Copies sent while frames are still dropped are lost; one sent during the
            // turn is refused as turn_in_progress.
            c.events.clear();
            String after = "after flood " + id;
            Await.until("a user message served after the flood", () -> {
                boolean started =
                        c.events.stream().anyMatch(e -> e.path("type").asText().equals("turn.started"));
                if (!started) {
                    c.send(userMessage(after));
                }
                return started;
            });
            assertEquals(
                    "turn.completed", c.untilTurnEnd().getLast().path("type").asText());
        }
    }

    @Test
    void aSecondUserMessageDuringATurnIsRefused() {
        String id = newId("busy");
        String msg = "busy " + id;
        backend.script(msg, callTools(null, "sleep", "{\"ms\":300}"), answer(null, "done"));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            c.until("tool.executing");
            c.send(userMessage("impatient"));
            JsonNode error = c.until("error").getLast();
            assertEquals("turn_in_progress", error.path("code").asText());
            assertTrue(error.path("retryable").asBoolean());
            assertEquals("stop", c.untilTurnEnd().getLast().path("finishReason").asText());
        }
    }

    @Test
    void reconnectWithLastSeqGetsEveryMissedEventOnce() throws Exception {
        String id = newId("resume");
        String msg = "resume " + id;
        backend.script(
                msg,
                r -> Multi.createFrom()
                        .ticks()
                        .every(Duration.ofMillis(15))
                        .select()
                        .first(40)
                        .map(i -> parsed(new ParseEvent.TextDelta("w" + i + " ")))
                        .onCompletion()
                        .continueWith(parsed(new ParseEvent.End("stop"))));
        List<JsonNode> got = new ArrayList<>();
        try (WsClient c = WsClient.connect(base, id, null)) {
            got.add(c.next(Duration.ofSeconds(5)));
            c.send(userMessage(msg));
            for (int i = 0; i < 6; i++) {
                got.add(c.next(Duration.ofSeconds(5)));
            }
            c.abort(); // vanish mid-turn
        }
        long lastSeq = got.getLast().path("seq").asLong();
        // events go on while nobody listens
        Await.until(
                "events emitted while nobody listens",
                () -> sessions.find(id).orElseThrow().lastSeq() > lastSeq + 3);
        try (WsClient c = WsClient.connect(base, id, "lastSeq=" + lastSeq)) {
            got.addAll(c.untilTurnEnd());
        }
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i + 1, got.get(i).path("seq").asLong(), "no gap, no duplicate: " + WsClient.types(got));
        }
        assertEquals(40, ofType(got, "text.delta").size());
        // the same stream over SSE, replayed from the journal
        List<JsonNode> sse = SseReader.read(base, id, 0, "turn.completed");
        assertEquals(
                got.stream().map(JsonNode::toString).toList(),
                sse.stream().map(JsonNode::toString).toList());
        // and a resume message on an open connection replays from the given seq
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(Map.of("type", "resume", "lastSeq", got.size() - 3));
            List<JsonNode> replay = List.of(
                    c.next(Duration.ofSeconds(5)), c.next(Duration.ofSeconds(5)), c.next(Duration.ofSeconds(5)));
            assertEquals(
                    got.subList(got.size() - 3, got.size()).stream()
                            .map(JsonNode::toString)
                            .toList(),
                    replay.stream().map(JsonNode::toString).toList());
        }
    }

    @Test
    void aStalledClientIsDroppedWithoutStallingOthersAndResumesFromTheJournal() throws Exception {
        String slowId = newId("slow");
        String slowMsg = "flood " + slowId;
        String chunk = "y".repeat(6000);
        backend.script(
                slowMsg,
                r -> Multi.createFrom()
                        .range(0, 6_000)
                        .map(i -> parsed(new ParseEvent.TextDelta(chunk)))
                        .onCompletion()
                        .continueWith(parsed(new ParseEvent.End("stop"))));
        try (WsClient slow = WsClient.connect(base, slowId, null)) {
            slow.next(Duration.ofSeconds(5));
            slow.stalled = true;
            slow.send(userMessage(slowMsg));
            // meanwhile another session is served at full speed
            String otherId = newId("other");
            try (WsClient other = WsClient.connect(base, otherId, null)) {
                other.next(Duration.ofSeconds(5));
                other.send(userMessage("quick " + otherId));
                assertEquals(
                        "turn.completed",
                        other.untilTurnEnd().getLast().path("type").asText(),
                        "other sessions are not stalled");
            }
            // the stalled client's bounded queue overflows: the server drops that connection
            var session = sessions.find(slowId).orElseThrow();
            Await.until("the stalled connection dropped", Duration.ofSeconds(60), () -> session.subscriberCount() == 0);
            slow.unstall();
            assertEquals(SessionSocket.CLOSE_SLOW_CONSUMER, slow.closed.get(60, TimeUnit.SECONDS));
            List<JsonNode> got = new ArrayList<>(slow.seen);
            JsonNode e;
            while ((e = slow.events.poll()) != null) {
                got.add(e);
            }
            long lastSeq = got.getLast().path("seq").asLong();
            try (WsClient again = WsClient.connect(base, slowId, "lastSeq=" + lastSeq)) {
                List<JsonNode> rest = again.until("turn.completed", Duration.ofSeconds(60));
                assertEquals(lastSeq + 1, rest.getFirst().path("seq").asLong());
                got.addAll(rest);
            }
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i + 1, got.get(i).path("seq").asLong());
            }
            assertEquals(6_000, ofType(got, "text.delta").size());
        }
    }

    @Test
    void theTurnDeadlineCancelsEverythingAndMaxTokensReachTheBackend() throws Exception {
        String id = newId("deadline");
        String msg = "deadline " + id;
        CountDownLatch streamCancelled = new CountDownLatch(1);
        backend.script(
                msg,
                r -> Multi.createFrom().<ModelChunk>nothing().onCancellation().invoke(streamCancelled::countDown));
        var session = sessions.getOrCreate(id).session();
        try (WsClient c = WsClient.connect(base, id, "lastSeq=0")) {
            var started =
                    agent.startTurn(session, msg, new TurnLimits(3, Duration.ofSeconds(1), Duration.ofMillis(300), 77));
            assertNull(started.refused());
            List<JsonNode> events = c.untilTurnEnd();
            assertEquals(
                    "turn_deadline",
                    ofType(events, "error").getFirst().path("code").asText());
            assertEquals("deadline", events.getLast().path("finishReason").asText());
            assertTrue(streamCancelled.await(2, TimeUnit.SECONDS), "the model stream was cancelled");
        }
        assertEquals(77, backend.requests(msg).getFirst().sampling().maxTokens());
    }

    @Test
    void aBackendsErrorCodeAndRetryableFlagReachTheClientUnchanged() throws Exception {
        String id = newId("circuit");
        String msg = "open circuit " + id;
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        // A real remote backend whose breaker one refused connection opens (and keeps open for the test).
        RemoteChatBackend remote =
                new RemoteChatBackend(RemoteConfig.of("http://127.0.0.1:" + closedPort, "m", Provider.DEEPSEEK)
                        .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10))
                        .withBreaker(1, Duration.ofMinutes(10)));
        CompletionRequest probe = new CompletionRequest(
                List.of(ChatMessage.user("probe")),
                List.of(),
                ThinkingMode.THINKING,
                null,
                CompletionRequest.Sampling.greedy(8));
        remote.stream(probe)
                .subscribe()
                .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                .awaitFailure(Duration.ofSeconds(10));
        assertEquals(CircuitBreaker.State.OPEN, remote.breakerState());
        backend.script(msg, remote::stream);
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            List<JsonNode> events = c.untilTurnEnd();
            JsonNode error = ofType(events, "error").getFirst();
            assertEquals("circuit_open", error.path("code").asText(), error.toString());
            assertFalse(error.path("retryable").asBoolean(true), "an open circuit is not retryable: " + error);
            assertTrue(error.path("seq").asLong() > 0, "a turn's error is part of the stream");
            assertEquals("error", events.getLast().path("finishReason").asText());
        }
    }

    @Test
    void aGenerationCutByTheTokenLimitEndsTheTurnWithLength() {
        String id = newId("length");
        String msg = "length " + id;
        backend.script(
                msg,
                r -> Multi.createFrom()
                        .items(
                                parsed(new ParseEvent.TextDelta("and so on and")),
                                parsed(new ParseEvent.End("length"))));
        try (WsClient c = WsClient.connect(base, id, null)) {
            c.send(userMessage(msg));
            assertEquals(
                    "length", c.untilTurnEnd().getLast().path("finishReason").asText());
        }
        assertEquals(8192, backend.requests(msg).getFirst().sampling().maxTokens());
    }
}
