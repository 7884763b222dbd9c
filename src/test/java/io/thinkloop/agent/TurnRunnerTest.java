package io.thinkloop.agent;

import static io.thinkloop.testkit.FakeBackend.answer;
import static io.thinkloop.testkit.FakeBackend.callTools;
import static io.thinkloop.testkit.FakeBackend.failing;
import static io.thinkloop.testkit.FakeBackend.silent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.session.Session;
import io.thinkloop.session.TestSessions;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.FakeBackend;
import io.thinkloop.tools.ApprovalPolicy;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One turn of the agent loop with a fake backend, a plain tool registry and a session journaled into a
 * temporary folder: no service, no sockets. The turn runs on the test's thread (or one it starts to cancel).
 */
class TurnRunnerTest {
    static final TurnLimits LIMITS = new TurnLimits(4, Duration.ofSeconds(30), Duration.ofMinutes(5), 256);

    @TempDir
    Path dir;

    FakeBackend backend;
    ToolRegistry registry;
    ExecutorService virtualThreads;
    Session session;
    List<String> events;

    /** Adds two integers; its result text is the sum. */
    static final class Add implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "add",
                    "Adds a and b",
                    schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
                            + "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom()
                    .item(ToolResult.ok(String.valueOf(
                            arguments.path("a").asInt() + arguments.path("b").asInt())));
        }
    }

    static JsonNode schema(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void setUp() {
        backend = new FakeBackend("fake");
        registry = new ToolRegistry();
        registry.register(new Add());
        virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
        session = TestSessions.create(dir, "s1");
        events = TestSessions.record(session);
    }

    @AfterEach
    void tearDown() {
        virtualThreads.shutdownNow();
    }

    TurnRunner runner(String content, TurnLimits limits) {
        ApprovalPolicy asDeclared = new ApprovalPolicy() {
            @Override
            public Tool.Approval approvalFor(Tool tool) {
                return tool.approval();
            }
        };
        TurnRunner r = new TurnRunner(
                session,
                content,
                limits,
                new BackendSelector(List.of(backend), backend.id()),
                registry,
                asDeclared,
                null,
                virtualThreads,
                false,
                null);
        assertTrue(session.beginTurn(r));
        r.begin();
        return r;
    }

    /** Runs a whole turn on this thread. */
    void runTurn(String content, TurnLimits limits) {
        runner(content, limits).run();
    }

    List<JsonNode> events() {
        return events.stream().map(TurnRunnerTest::read).toList();
    }

    List<String> types() {
        return events().stream().map(e -> e.path("type").asText()).toList();
    }

    JsonNode last() {
        return events().getLast();
    }

    List<JsonNode> ofType(String type) {
        return events().stream()
                .filter(e -> e.path("type").asText().equals(type))
                .toList();
    }

    static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPlainAnswerStreamsReasoningAndTextThenCompletes() {
        backend.thenAnswer(answer("the user greets", "hello"));
        runTurn("hi", LIMITS);
        assertEquals(List.of("turn.started", "reasoning.delta", "text.delta", "usage", "turn.completed"), types());
        assertEquals("stop", last().path("finishReason").asText());
        assertEquals(1, last().path("steps").asInt());
        List<ChatMessage> history = session.history();
        assertEquals(
                List.of(ChatMessage.Role.USER, ChatMessage.Role.ASSISTANT),
                history.stream().map(ChatMessage::role).toList());
        assertEquals("hello", history.get(1).content());
        assertEquals("the user greets", history.get(1).reasoningContent());
        assertNull(session.activeTurn(), "the session is free again");
    }

    @Test
    void toolCallsRunAndTheirResultsGoBackInTheModelsOrder() {
        backend.thenAnswer(
                callTools("two sums", "add", "{\"a\":1,\"b\":2}", "add", "{\"a\":40,\"b\":2}"),
                answer(null, "3 and 42"));
        runTurn("sums please", LIMITS);
        assertEquals("stop", last().path("finishReason").asText());
        assertEquals(2, last().path("steps").asInt());
        List<JsonNode> results = ofType("tool.result");
        assertEquals(2, results.size());
        List<CompletionRequest> requests = backend.requests();
        assertEquals(2, requests.size());
        assertTrue(
                requests.getFirst().tools().stream().anyMatch(t -> t.name().equals("add")),
                "the registry's tools are offered");
        List<ChatMessage> second = requests.get(1).messages();
        List<ChatMessage> toolMessages =
                second.stream().filter(m -> m.role() == ChatMessage.Role.TOOL).toList();
        assertEquals(
                List.of("3", "42"),
                toolMessages.stream().map(ChatMessage::content).toList(),
                "results in the model's order");
        ChatMessage call = second.stream()
                .filter(m -> m.role() == ChatMessage.Role.ASSISTANT)
                .findFirst()
                .orElseThrow();
        assertEquals("two sums", call.reasoningContent(), "the current turn's reasoning stays with its tool calls");
        assertEquals(call.toolCalls().get(0).id(), toolMessages.get(0).toolCallId());
    }

    @Test
    void anUnknownToolAndBadArgumentsAreErrorResultsTheModelSees() {
        backend.thenAnswer(callTools(null, "no_such_tool", "{}", "add", "{\"a\":\"one\"}"), answer(null, "sorry"));
        runTurn("try tools", LIMITS);
        List<JsonNode> results = ofType("tool.result");
        assertEquals(2, results.size());
        assertTrue(results.stream().allMatch(r -> r.path("isError").asBoolean()), results.toString());
        List<ChatMessage> toolMessages = backend.requests().get(1).messages().stream()
                .filter(m -> m.role() == ChatMessage.Role.TOOL)
                .toList();
        assertTrue(
                toolMessages.get(0).content().contains("no_such_tool"),
                toolMessages.get(0).content());
        assertEquals(
                "stop",
                last().path("finishReason").asText(),
                "a bad call is the model's to fix, not the end of the turn");
    }

    @Test
    void afterMaxStepsOneLastGenerationRunsWithoutTools() {
        TurnLimits oneStep = new TurnLimits(1, Duration.ofSeconds(30), Duration.ofMinutes(5), 256);
        backend.thenAnswer(callTools(null, "add", "{\"a\":1,\"b\":1}"), callTools(null, "add", "{\"a\":2,\"b\":2}"));
        runTurn("loop", oneStep);
        assertEquals("max_steps", last().path("finishReason").asText());
        assertEquals(2, backend.requests().size());
        assertTrue(backend.requests().get(1).tools().isEmpty(), "the last generation is offered no tools");
        assertEquals(1, ofType("tool.result").size(), "the last generation's calls are not run");
    }

    @Test
    void aFailingBackendEndsTheTurnWithAnErrorAndKeepsTheSessionUsable() {
        backend.thenAnswer(failing(new IllegalStateException("the model fell over")));
        runTurn("fail", LIMITS);
        assertEquals(1, ofType("error").size(), types().toString());
        assertEquals("turn.completed", last().path("type").asText());
        assertEquals("error", last().path("finishReason").asText());
        assertNull(session.activeTurn());
        events.clear();
        backend.thenAnswer(answer(null, "back"));
        runTurn("again", LIMITS);
        assertEquals("stop", last().path("finishReason").asText());
    }

    @Test
    void cancelBeforeTheFirstTokenCancelsTheModelStream() throws Exception {
        backend.thenAnswer(silent());
        TurnRunner r = runner("wait", LIMITS);
        Thread turn = Thread.ofVirtual().start(r);
        Await.until("the model asked", () -> backend.requests().size() == 1);
        r.cancel("user");
        turn.join(Await.DEFAULT_TIMEOUT);
        assertFalse(turn.isAlive(), "the turn ended");
        assertEquals("cancelled", last().path("type").asText());
        assertEquals(1, backend.cancellations(), "the backend's stream was cancelled");
        assertNull(session.activeTurn());
    }

    @Test
    void aTurnPastItsDeadlineEndsWithTurnDeadline() {
        backend.thenAnswer(silent());
        runTurn("slow", new TurnLimits(4, Duration.ofSeconds(30), Duration.ofMillis(50), 256));
        assertEquals("turn_deadline", ofType("error").getFirst().path("code").asText());
        assertEquals("deadline", last().path("finishReason").asText());
        assertEquals(1, backend.cancellations(), "the silent stream was cancelled at the deadline");
    }
}
