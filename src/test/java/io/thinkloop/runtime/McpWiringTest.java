package io.thinkloop.runtime;

import static io.restassured.RestAssured.given;
import static io.thinkloop.testkit.FakeBackend.answer;
import static io.thinkloop.testkit.FakeBackend.callTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.session.SessionManager;
import io.thinkloop.testkit.Await;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The parts wired together, end to end over real sockets: a real calculator tool server configured as
 * the MCP server {@code calc} ({@code thinkloop.mcp.servers.calc.url}) feeds the agent's tool registry,
 * {@code /v1/tools} and {@code /v1/mcp/servers}; an agent turn over the session WebSocket calls
 * {@code evaluate} through MCP; our MCP client runs the agent as the {@code agent} tool of {@code /mcp/ws}
 * (answer, progress, cancel); stopping the tool server takes its tools away and shows it failed.
 */
@QuarkusTest
@TestProfile(RuntimeTestProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpWiringTest {
    private static final String AUTH = "Bearer " + RuntimeTestProfile.KEY;
    private static final List<String> CALC_TOOLS = List.of("convert_units", "evaluate", "evaluate_batch", "list_units");

    @TestHTTPResource("/")
    URI base;

    @Inject
    ScriptedTestBackend backend;

    @Inject
    ToolRegistry registry;

    @Inject
    SessionManager sessions;

    boolean calcToolsRegistered() {
        return CALC_TOOLS.stream().allMatch(n -> registry.sourceOf(n).equals(Optional.of(CalculatorToolServer.NAME)));
    }

    static JsonNode getJson(String path) throws Exception {
        return Json.MAPPER.readTree(given().header("Authorization", AUTH)
                .get(path)
                .then()
                .statusCode(200)
                .extract()
                .asString());
    }

    static JsonNode byName(JsonNode array, String name) {
        return StreamSupport.stream(array.spliterator(), false)
                .filter(n -> n.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + array));
    }

    McpClient agentClient() {
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/mcp/ws");
        // /mcp/ws wants the API key like every route, and its own token on top (auth on, token set)
        McpClient client = new McpClient(new WebSocketClientConnector(
                McpTestSupport.VERTX,
                uri,
                RuntimeTestProfile.MCP_TOKEN,
                Map.of("Authorization", AUTH),
                WebSocketClientConnector.DEFAULT_MAX_MESSAGE,
                Duration.ofSeconds(30)));
        client.connect().await().atMost(Duration.ofSeconds(10));
        return client;
    }

    @Test
    @Order(1)
    void calculatorToolsJoinTheRegistryAndTheConsoleViews() throws Exception {
        Await.until("calc tools in the registry", Duration.ofSeconds(30), this::calcToolsRegistered);

        JsonNode tools = getJson("/v1/tools");
        JsonNode evaluate = byName(tools, "evaluate");
        assertEquals("calc", evaluate.path("source").asText());
        assertEquals("auto", evaluate.path("approval").asText());
        assertEquals(
                "expression",
                evaluate.path("parameters").path("required").path(0).asText(),
                evaluate.toString());
        // thinkloop.tools.approval.convert_units=ask applies to an MCP tool as to a local one
        assertEquals("ask", byName(tools, "convert_units").path("approval").asText());

        JsonNode calc = byName(getJson("/v1/mcp/servers"), "calc");
        assertEquals("ready", calc.path("status").asText(), calc.toString());
        assertEquals(
                CalculatorToolServer.url(),
                calc.path("target").asText().replaceFirst("^.*?(ws://)", "$1"),
                calc.toString());
        assertTrue(calc.path("lastError").isNull() || calc.path("lastError").isMissingNode(), calc.toString());
        List<String> names = StreamSupport.stream(calc.path("tools").spliterator(), false)
                .map(t -> t.path("name").asText())
                .sorted()
                .toList();
        assertEquals(CALC_TOOLS, names);
    }

    @Test
    @Order(2)
    void agentTurnOverTheSessionWebSocketCallsEvaluateThroughMcp() throws Exception {
        Await.until("calc tools in the registry", Duration.ofSeconds(30), this::calcToolsRegistered);
        String msg = "what is 6*7+0.5 " + UUID.randomUUID();
        backend.script(
                msg,
                callTools("I should use the calculator.", "evaluate", "{\"expression\":\"6*7+0.5\"}"),
                answer(null, "It is 42.5."));
        try (WsClient c = WsClient.connect(
                base, "mcp-turn-" + UUID.randomUUID().toString().substring(0, 8), null)) {
            c.send(Map.of("type", "user_message", "content", msg));
            List<JsonNode> events = c.untilTurnEnd();
            JsonNode result = events.stream()
                    .filter(e -> e.path("type").asText().equals("tool.result"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no tool.result in " + WsClient.types(events)));
            assertEquals("evaluate", result.path("name").asText());
            assertFalse(result.path("isError").asBoolean(), result.toString());
            assertEquals("42.5", result.path("structured").path("result").asText(), result.toString());
            assertTrue(result.path("content").asText().contains("42.5"), result.toString());
            JsonNode end = events.getLast();
            assertEquals("turn.completed", end.path("type").asText());
            assertEquals("stop", end.path("finishReason").asText());
        }
        var requests = backend.requests(msg);
        assertEquals(2, requests.size());
        assertTrue(requests.get(0).tools().stream().map(ToolSpec::name).toList().containsAll(CALC_TOOLS));
        ChatMessage toolMessage = requests.get(1).messages().getLast();
        assertEquals(ChatMessage.Role.TOOL, toolMessage.role());
        assertTrue(toolMessage.content().contains("42.5"), toolMessage.content());
    }

    @Test
    @Order(3)
    void toolListChangesOfTheServerReachTheRegistry() throws Exception {
        Await.until("calc tools in the registry", Duration.ofSeconds(30), this::calcToolsRegistered);
        Tool extra = new Tool() {
            public ToolSpec spec() {
                return new ToolSpec(
                        "calc_version",
                        "The calculator's version.",
                        Json.MAPPER.createObjectNode().put("type", "object"));
            }

            public Uni<ToolResult> call(JsonNode args, ToolCallContext ctx) {
                return Uni.createFrom().item(ToolResult.ok("1.0"));
            }
        };
        CalculatorToolServer.CATALOG.add(extra);
        try {
            Await.until(
                    "calc_version registered",
                    Duration.ofSeconds(10),
                    () -> registry.sourceOf("calc_version").equals(Optional.of(CalculatorToolServer.NAME)));
            assertEquals(
                    "1.0",
                    registry.find("calc_version")
                            .orElseThrow()
                            .call(Json.MAPPER.createObjectNode(), ToolCallContext.detached("t"))
                            .await()
                            .atMost(Duration.ofSeconds(5))
                            .text());
        } finally {
            CalculatorToolServer.CATALOG.remove("calc_version");
        }
        Await.until(
                "calc_version unregistered",
                Duration.ofSeconds(10),
                () -> registry.find("calc_version").isEmpty());
        assertTrue(calcToolsRegistered());
    }

    @Test
    @Order(4)
    void agentToolOnMcpWsRunsAWholeTurnWithProgress() throws Exception {
        Await.until("calc tools in the registry", Duration.ofSeconds(30), this::calcToolsRegistered);
        String msg = "what is 2^10 " + UUID.randomUUID();
        backend.script(msg, callTools(null, "evaluate", "{\"expression\":\"2^10\"}"), answer("easy", "2^10 is 1024."));
        McpClient client = agentClient();
        try {
            assertTrue(
                    client.tools().stream().anyMatch(t -> t.name().equals("agent")),
                    client.tools().toString());
            List<String> progress = new CopyOnWriteArrayList<>();
            CallToolResult r = client.callTool(
                            "agent",
                            Json.MAPPER.createObjectNode().put("prompt", msg),
                            client.requestDefaults()
                                    .withProgress((p, total, message) -> progress.add(p + " " + message)))
                    .await()
                    .atMost(Duration.ofSeconds(30));
            assertFalse(r.failed(), r.toString());
            assertEquals("2^10 is 1024.", r.text());
            JsonNode s = r.structuredContent();
            assertEquals("stop", s.path("finishReason").asText(), s.toString());
            assertEquals(2, s.path("steps").asInt());
            assertEquals("evaluate", s.path("toolCalls").path(0).path("name").asText(), s.toString());
            assertEquals(
                    "{\"expression\":\"2^10\"}",
                    s.path("toolCalls").path(0).path("arguments").asText());
            assertFalse(s.path("toolCalls").path(0).path("isError").asBoolean());
            assertEquals(5, s.path("usage").path("completionTokens").asInt(), s.toString());
            assertEquals(3, s.path("usage").path("reasoningTokens").asInt(), s.toString());
            String sessionId = s.path("sessionId").asText();
            assertTrue(progress.size() >= 3, progress.toString());
            assertTrue(progress.get(0).endsWith("turn started in session " + sessionId), progress.toString());
            assertTrue(
                    progress.contains("2.0 calling evaluate") && progress.contains("3.0 evaluate returned"),
                    progress.toString());

            // The turn is an ordinary, journaled turn of that session; a second call continues it.
            var history = sessions.find(sessionId).orElseThrow().history();
            assertEquals(msg, history.getFirst().content());
            assertEquals("2^10 is 1024.", history.getLast().content());
            CallToolResult again = client.callTool(
                            "agent",
                            Json.MAPPER
                                    .createObjectNode()
                                    .put("prompt", "and again?")
                                    .put("sessionId", sessionId))
                    .await()
                    .atMost(Duration.ofSeconds(30));
            assertEquals("ok", again.text()); // the scripted backend's default answer
            assertEquals(sessionId, again.structuredContent().path("sessionId").asText());
            assertEquals(
                    history.size() + 2,
                    sessions.find(sessionId).orElseThrow().history().size());
        } finally {
            client.close();
        }
    }

    @Test
    @Order(5)
    void cancellingTheAgentToolCallCancelsTheTurn() throws Exception {
        String msg = "never finishes " + UUID.randomUUID();
        String sessionId = "mcp-cancel-" + UUID.randomUUID().toString().substring(0, 8);
        CountDownLatch streamCancelled = new CountDownLatch(1);
        backend.script(
                msg,
                r -> Multi.createFrom().<ModelChunk>nothing().onCancellation().invoke(streamCancelled::countDown));
        McpClient client = agentClient();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Cancellable call = client.callTool(
                            "agent",
                            Json.MAPPER.createObjectNode().put("prompt", msg).put("sessionId", sessionId),
                            client.requestDefaults().withProgress((p, total, message) -> started.countDown()))
                    .subscribe()
                    .with(res -> {}, err -> {});
            assertTrue(started.await(10, TimeUnit.SECONDS), "no progress from the agent tool");
            assertNotNull(sessions.find(sessionId).orElseThrow().activeTurn());
            call.cancel(); // sends notifications/cancelled
            assertTrue(streamCancelled.await(10, TimeUnit.SECONDS), "the model stream was not cancelled");
            try (WsClient c = WsClient.connect(base, sessionId, "lastSeq=0")) {
                List<JsonNode> events = c.until("cancelled");
                assertEquals(
                        "cancelled by the MCP client",
                        events.getLast().path("reason").asText(),
                        events.getLast().toString());
            }
            Await.until(
                    "session released",
                    Duration.ofSeconds(5),
                    () -> sessions.find(sessionId).orElseThrow().activeTurn() == null);
        } finally {
            client.close();
        }
    }

    @Test
    @Order(5)
    void deletingTheSessionEndsTheAgentToolCallWithAnError() throws Exception {
        String msg = "never finishes either " + UUID.randomUUID();
        String sessionId = "mcp-delete-" + UUID.randomUUID().toString().substring(0, 8);
        backend.script(msg, r -> Multi.createFrom().<ModelChunk>nothing());
        McpClient client = agentClient();
        try {
            CountDownLatch started = new CountDownLatch(1);
            var pending = client.callTool(
                            "agent",
                            Json.MAPPER.createObjectNode().put("prompt", msg).put("sessionId", sessionId),
                            client.requestDefaults().withProgress((p, total, message) -> started.countDown()))
                    .subscribeAsCompletionStage();
            assertTrue(started.await(10, TimeUnit.SECONDS), "no progress from the agent tool");
            given().header("Authorization", AUTH)
                    .delete("/v1/sessions/" + sessionId)
                    .then()
                    .statusCode(204);
            CallToolResult r = pending.get(10, TimeUnit.SECONDS);
            assertTrue(r.failed(), r.toString());
            // the turn's own "cancelled" event ("session deleted") or, once the session dropped us, the watchdog
            assertTrue(
                    r.text().startsWith("the turn was cancelled: ") && r.text().contains("deleted"), r.text());
            assertEquals("cancelled", r.structuredContent().path("finishReason").asText());
        } finally {
            client.close();
        }
    }

    @Test
    @Order(6)
    void stoppedToolServerLeavesTheRegistryAndShowsFailedThenComesBack() throws Exception {
        Await.until("calc tools in the registry", Duration.ofSeconds(30), this::calcToolsRegistered);
        CalculatorToolServer.stop();
        try {
            Await.until(
                    "calc tools gone",
                    Duration.ofSeconds(10),
                    () -> CALC_TOOLS.stream().allMatch(n -> registry.find(n).isEmpty()));
            JsonNode tools = getJson("/v1/tools");
            assertTrue(
                    StreamSupport.stream(tools.spliterator(), false)
                            .noneMatch(t -> t.path("source").asText().equals("calc")),
                    tools.toString());
            JsonNode calc = Await.until(
                    "calc shown failed with its last error",
                    Duration.ofSeconds(10),
                    () -> byName(getJson("/v1/mcp/servers"), "calc"),
                    c -> c.path("status").asText().equals("failed") && c.hasNonNull("lastError"));
            assertEquals(0, calc.path("tools").size(), calc.toString());
            System.out.println("calc after stop: " + calc);
        } finally {
            CalculatorToolServer.start(); // same port: the manager reconnects by itself
        }
        Await.until("calc tools back after reconnect", Duration.ofSeconds(40), this::calcToolsRegistered);
        assertEquals(
                "ready",
                byName(getJson("/v1/mcp/servers"), "calc").path("status").asText());
    }
}
