package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.transport.StdioClientConnector;
import io.thinkloop.mcp.transport.StreamableHttpClientConnector;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.testkit.Interop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our client drives the reference server {@code @modelcontextprotocol/server-everything} over stdio, over
 * Streamable HTTP, and over WebSocket through supergateway.
 */
class ServerEverythingTest {
    static Path everything;
    static Path supergateway;

    @BeforeAll
    static void peers() {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
        everything =
                McpTestSupport.nodeDir().resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
        supergateway = McpTestSupport.nodeDir().resolve("node_modules/supergateway/dist/index.js");
    }

    @Test
    void overStdio() throws Exception {
        exercise(new StdioClientConnector(
                List.of(McpTestSupport.node(), everything.toString(), "stdio"), Map.of(), null));
    }

    @Test
    void overStreamableHttp() throws Exception {
        int port = freePort();
        Process p = startAndWait(
                List.of(McpTestSupport.node(), everything.toString(), "streamableHttp"),
                Map.of("PORT", Integer.toString(port)),
                "listening on port");
        try {
            exercise(new StreamableHttpClientConnector(URI.create("http://127.0.0.1:" + port + "/mcp"), Map.of()));
            // Messages outside any request (simulated logging) arrive on the standalone GET stream.
            McpClient client = new McpClient(
                    new StreamableHttpClientConnector(URI.create("http://127.0.0.1:" + port + "/mcp"), Map.of()));
            try {
                CompletableFuture<JsonNode> log = new CompletableFuture<>();
                client.onLog(log::complete);
                client.connect().await().atMost(Duration.ofSeconds(30));
                client.request(
                                "logging/setLevel",
                                Json.MAPPER.createObjectNode().put("level", "debug"),
                                client.requestDefaults())
                        .await()
                        .atMost(Duration.ofSeconds(10));
                client.callTool("toggle-simulated-logging", obj("{}")).await().atMost(Duration.ofSeconds(10));
                JsonNode message = log.get(15, TimeUnit.SECONDS);
                assertTrue(message.path("data").asText().contains("message"), message.toString());
            } finally {
                client.close();
            }
        } finally {
            stop(p);
        }
    }

    @Test
    void overWebSocketThroughSupergateway() throws Exception {
        int port = freePort();
        Process p = startAndWait(
                List.of(
                        McpTestSupport.node(),
                        supergateway.toString(),
                        "--stdio",
                        McpTestSupport.node() + " " + everything + " stdio",
                        "--outputTransport",
                        "ws",
                        "--port",
                        Integer.toString(port),
                        "--messagePath",
                        "/message",
                        "--logLevel",
                        "info"),
                Map.of(),
                "Listening on port");
        try {
            exercise(new WebSocketClientConnector(
                    McpTestSupport.VERTX, URI.create("ws://127.0.0.1:" + port + "/message")));
        } finally {
            stop(p);
        }
    }

    void exercise(Connector real) throws Exception {
        RecordingConnector connector = new RecordingConnector(real);
        McpClient client = new McpClient(connector, McpClient.Options.defaults());
        try {
            client.connect().await().atMost(Duration.ofSeconds(30));
            List<String> names = client.tools().stream().map(McpTool::name).toList();
            for (String tool : List.of("echo", "get-sum", "get-structured-content", "trigger-long-running-operation")) {
                assertTrue(names.contains(tool), tool + " listed: " + names);
            }
            assertEquals(
                    "Echo: hello",
                    client.callTool("echo", obj("{\"message\":\"hello\"}"))
                            .await()
                            .atMost(Duration.ofSeconds(10))
                            .text());
            CallToolResult sum = client.callTool("get-sum", obj("{\"a\":17,\"b\":25}"))
                    .await()
                    .atMost(Duration.ofSeconds(10));
            assertTrue(sum.text().contains("42"), sum.text());
            CallToolResult structured = client.callTool("get-structured-content", obj("{\"location\":\"Chicago\"}"))
                    .await()
                    .atMost(Duration.ofSeconds(10));
            assertNotNull(structured.structuredContent(), structured.toString());
            assertTrue(structured.structuredContent().path("temperature").isNumber(), structured.toString());
            McpTool st = client.tools().stream()
                    .filter(t -> t.name().equals("get-structured-content"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(st.outputSchema().path("properties").has("humidity"));

            List<String> progress = new CopyOnWriteArrayList<>();
            CallToolResult longOp = client.callTool(
                            "trigger-long-running-operation",
                            obj("{\"duration\":1,\"steps\":4}"),
                            client.requestDefaults().withProgress((p, total, m) -> progress.add(p + "/" + total)))
                    .await()
                    .atMost(Duration.ofSeconds(20));
            assertTrue(longOp.text().contains("completed"), longOp.text());
            assertEquals(List.of("1.0/4.0", "2.0/4.0", "3.0/4.0", "4.0/4.0"), progress);

            // Cancellation: cancel after the first progress; notifications/cancelled goes out and the server keeps
            // serving.
            CompletableFuture<Void> first = new CompletableFuture<>();
            Cancellable running = client.callTool(
                            "trigger-long-running-operation",
                            obj("{\"duration\":20,\"steps\":40}"),
                            client.requestDefaults().withProgress((p, total, m) -> first.complete(null)))
                    .subscribe()
                    .with(r -> {}, f -> {});
            first.get(15, TimeUnit.SECONDS);
            running.cancel();
            JsonNode cancelled = connector.sent.stream()
                    .map(ServerEverythingTest::parse)
                    .filter(n -> n.path("method").asText().equals("notifications/cancelled"))
                    .findFirst()
                    .orElseThrow();
            JsonNode request = connector.sent.stream()
                    .map(ServerEverythingTest::parse)
                    .filter(n ->
                            n.path("params").path("arguments").path("steps").asInt() == 40)
                    .findFirst()
                    .orElseThrow();
            assertEquals(request.get("id"), cancelled.path("params").get("requestId"));
            assertTrue(request.get("id").isNumber(), "numeric ids");
            client.ping().await().atMost(Duration.ofSeconds(10));
            assertEquals(
                    "Echo: after",
                    client.callTool("echo", obj("{\"message\":\"after\"}"))
                            .await()
                            .atMost(Duration.ofSeconds(10))
                            .text());

            // Timeout of a call without progress: the client gives up and cancels remotely.
            var timeout = new RequestOptions(Duration.ofMillis(300), Duration.ofSeconds(5), true, null);
            Throwable t = Assertions.assertThrows(
                    Exception.class,
                    () -> client.callTool(
                                    "trigger-long-running-operation", obj("{\"duration\":3,\"steps\":1}"), timeout)
                            .await()
                            .atMost(Duration.ofSeconds(10)));
            assertTrue(t.getMessage().contains("timed out"), t.getMessage());
            assertFalse(connector.sent.stream()
                            .filter(s -> s.contains("notifications/cancelled"))
                            .count()
                    < 2);
        } finally {
            client.close();
        }
    }

    static JsonNode obj(String json) {
        return parse(json);
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a node process and waits until its output (stdout or stderr) contains {@code ready}. */
    static Process startAndWait(List<String> cmd, Map<String, String> env, String ready) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(McpTestSupport.nodeDir().toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<Void> up = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.contains(ready)) {
                        up.complete(null);
                    }
                }
                up.completeExceptionally(new AssertionError(cmd + " exited before it was ready"));
            } catch (Exception e) {
                up.completeExceptionally(e);
            }
        });
        up.get(60, TimeUnit.SECONDS);
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
