package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.client.RemoteTool;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.testkit.Await;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our client against our server over a real loopback WebSocket. */
class McpWebSocketRoundTripTest {
    static McpWebSocketServer server;
    static McpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = McpTestSupport.startServer(McpWebSocketServer.Options.loopback(0), Map.of("extra", "4"));
        client = McpTestSupport.client(server.url(), McpClient.Options.defaults());
        client.connect().await().atMost(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void listsAllPagesWithSchemasAndAnnotations() {
        List<McpTool> tools = client.tools();
        assertEquals(9, tools.size(), "5 tools + 4 extra over pages of 3");
        McpTool echo =
                tools.stream().filter(t -> t.name().equals("echo")).findFirst().orElseThrow();
        assertEquals("Echo", echo.title());
        assertTrue(echo.annotations().path("readOnlyHint").asBoolean());
        McpTool add =
                tools.stream().filter(t -> t.name().equals("add")).findFirst().orElseThrow();
        assertEquals(
                "number",
                add.outputSchema().path("properties").path("sum").path("type").asText());
        assertEquals("2025-11-25", client.initializeResult().protocolVersion());
    }

    @Test
    void callsReturnContentStructuredContentAndErrors() {
        CallToolResult echo = client.callTool(
                        "echo", Json.MAPPER.createObjectNode().put("message", "hi"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertEquals("Echo: hi", echo.text());
        assertFalse(echo.failed());
        CallToolResult add = client.callTool(
                        "add", Json.MAPPER.createObjectNode().put("a", 2).put("b", 40))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertEquals(42.0, add.structuredContent().path("sum").asDouble());
        CallToolResult fail = client.callTool("fail", null).await().atMost(Duration.ofSeconds(5));
        assertTrue(fail.failed());
        assertEquals("this tool always fails", fail.text());
        CallToolResult bad = client.callTool(
                        "add", Json.MAPPER.createObjectNode().put("a", "x"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertTrue(bad.failed(), "schema violations are tool errors");
        assertTrue(bad.text().contains("Invalid arguments"), bad.text());
        McpException unknown = assertThrows(
                McpException.class, () -> client.callTool("nope", null).await().atMost(Duration.ofSeconds(5)));
        assertEquals(JsonRpcError.INVALID_PARAMS, unknown.code());
    }

    @Test
    void remoteToolMapsBothUnknownToolShapesToErrorResults() {
        McpTool ghost = new McpTool("ghost", null, "missing", Json.MAPPER.createObjectNode(), null, null, null);
        ToolResult r = new RemoteTool(client, ghost, "srv__ghost")
                .call(Json.MAPPER.createObjectNode(), ToolCallContext.detached("1"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertTrue(r.isError());
        assertTrue(r.text().contains("Unknown tool"), r.text());
        McpTool fail = client.tools().stream()
                .filter(t -> t.name().equals("fail"))
                .findFirst()
                .orElseThrow();
        assertTrue(new RemoteTool(client, fail, "fail")
                .call(Json.MAPPER.createObjectNode(), ToolCallContext.detached("2"))
                .await()
                .atMost(Duration.ofSeconds(5))
                .isError());
    }

    @Test
    void progressArrivesAndExtendsTheTimeout() {
        List<Double> seen = new CopyOnWriteArrayList<>();
        // Each step (400 ms) is far shorter than the timeout (2 s) but the whole call (2.4 s) is longer; the
        // exact timing rules are JsonRpcPeerTest's, on a fake clock.
        RequestOptions opts =
                new RequestOptions(Duration.ofSeconds(2), Duration.ofSeconds(30), true, (p, t, m) -> seen.add(p));
        CallToolResult r = client.callTool(
                        "slow", Json.MAPPER.createObjectNode().put("steps", 6).put("stepMs", 400), opts)
                .await()
                .atMost(Duration.ofSeconds(30));
        assertEquals("done after 6 steps", r.text());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), seen);
    }

    @Test
    void hardCapStopsProgressFromExtendingForeverAndCancelsRemotely() throws Exception {
        int before = TestToolServer.CANCELLED.get();
        // Progress every 50 ms keeps restarting the 2 s timeout; the 3 s cap ends the 5 s call.
        RequestOptions opts = new RequestOptions(Duration.ofSeconds(2), Duration.ofSeconds(3), true, (p, t, m) -> {});
        McpException e = assertThrows(
                McpException.class,
                () -> client.callTool(
                                "slow",
                                Json.MAPPER.createObjectNode().put("steps", 100).put("stepMs", 50),
                                opts)
                        .await()
                        .atMost(Duration.ofSeconds(30)));
        assertEquals(JsonRpcError.REQUEST_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("hard cap"), e.getMessage());
        Await.until("the server cancels the timed-out call", () -> TestToolServer.CANCELLED.get() > before);
    }

    @Test
    void cancellingTheUniCancelsTheRemoteCall() throws Exception {
        int before = TestToolServer.CANCELLED.get();
        CompletableFuture<Void> firstProgress = new CompletableFuture<>();
        Uni<CallToolResult> call = client.callTool(
                "slow",
                Json.MAPPER.createObjectNode().put("steps", 100).put("stepMs", 30),
                client.requestDefaults().withProgress((p, t, m) -> firstProgress.complete(null)));
        Cancellable c = call.subscribe().with(r -> {}, f -> {});
        firstProgress.get(5, TimeUnit.SECONDS);
        c.cancel();
        Await.until("notifications/cancelled stops the tool", () -> TestToolServer.CANCELLED.get() > before);
        client.ping().await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void parallelCallsAndPingsAreNotStuckBehindABlockingTool() {
        List<Uni<CallToolResult>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(client.callTool("sleep", Json.MAPPER.createObjectNode().put("untilReleased", true)));
        }
        var all = Uni.join().all(calls).andFailFast().subscribeAsCompletionStage();
        try {
            // All five block a thread at the same time: they run concurrently, not one after another.
            Await.until("five blocking calls in flight at once", () -> TestToolServer.BLOCKED.get() == 5);
            client.ping().await().atMost(Await.DEFAULT_TIMEOUT);
            assertEquals(5, TestToolServer.BLOCKED.get(), "the ping was answered while every call still blocked");
        } finally {
            TestToolServer.releaseBlocked();
        }
        List<CallToolResult> results = all.toCompletableFuture().join();
        assertEquals(5, results.size());
    }

    @Test
    void disconnectFailsInFlightCallsAtOnceAndReconnectRelists() throws Exception {
        McpClient c =
                McpTestSupport.client(server.url(), McpClient.Options.defaults().withReconnect(true));
        c.connect().await().atMost(Duration.ofSeconds(5));
        List<List<McpTool>> relisted = new CopyOnWriteArrayList<>();
        c.onToolsChanged(relisted::add);
        CompletableFuture<Void> running = new CompletableFuture<>();
        var inFlight = c.callTool(
                        "slow",
                        Json.MAPPER.createObjectNode().put("steps", 600).put("stepMs", 50),
                        c.requestDefaults().withProgress((p, t, m) -> running.complete(null)))
                .subscribeAsCompletionStage();
        running.get(30, TimeUnit.SECONDS);
        c.dropConnection();
        // The call fails with "connection closed", not with its result: it did not wait out the tool.
        Throwable failure = assertThrows(
                        Exception.class, () -> inFlight.toCompletableFuture().get(30, TimeUnit.SECONDS))
                .getCause();
        assertEquals(JsonRpcError.CONNECTION_CLOSED, ((McpException) failure).code());
        Await.until("reconnected", () -> c.state() == McpClient.State.READY && c.connectCount() == 2);
        assertFalse(relisted.isEmpty(), "tools re-listed after reconnect");
        assertEquals(
                "Echo: again",
                c.callTool("echo", Json.MAPPER.createObjectNode().put("message", "again"))
                        .await()
                        .atMost(Duration.ofSeconds(5))
                        .text());
        c.close();
    }

    @Test
    void listChangedRefreshesTheToolCache() throws Exception {
        McpClient c = McpTestSupport.client(server.url(), McpClient.Options.defaults());
        c.connect().await().atMost(Duration.ofSeconds(5));
        int n = c.tools().size();
        server.server().tools().add(new TestToolServer.Numbered(99));
        try {
            Await.until("list_changed refreshes the cache", () -> c.tools().size() == n + 1);
        } finally {
            server.server().tools().remove("tool_99");
            c.close();
        }
    }
}
