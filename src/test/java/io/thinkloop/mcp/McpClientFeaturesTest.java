package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.ClientRequestHandler;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.client.ReadResourceTool;
import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.transport.StdioClientConnector;
import io.thinkloop.mcp.transport.StreamableHttpClientConnector;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.mcp.types.ProtocolVersions;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.Interop;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolServerDefinition;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Our client's side of the features a server may ask for (roots, sampling, elicitation) and use of the servers'
 * resources and prompts, against real servers on every transport: the reference server
 * {@code @modelcontextprotocol/server-everything} (stdio, Streamable HTTP, and WebSocket with its server behind a
 * plain WebSocket transport), and
 * our own trip-planning tool server (stdio as a process, Streamable HTTP and WebSocket in process) in both the
 * session revision 2025-11-25 and the stateless revision 2026-07-28.
 */
@Disabled("passes alone, fails inside the full suite: after the Quarkus tests, Mutiny's context-propagation "
        + "ServiceLoader sees two class loaders (ServiceConfigurationError: MutinyContextManagerExtension not a "
        + "subtype); to be fixed by running it in its own fork. McpClientFeaturesServiceTest covers the service path")
class McpClientFeaturesTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static Path everything;

    @BeforeAll
    static void peers() {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
        everything =
                McpTestSupport.nodeDir().resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    }

    /** Answers like a user who approves and fills in the form; records what it was asked and for which call. */
    static final class Answering implements ClientRequestHandler {
        final List<JsonNode> sampled = new CopyOnWriteArrayList<>();
        final List<JsonNode> elicited = new CopyOnWriteArrayList<>();
        final List<ToolCallContext> callers = new CopyOnWriteArrayList<>();

        @Override
        public List<JsonNode> roots() {
            return List.of(Json.MAPPER
                    .createObjectNode()
                    .put("uri", "file:///srv/project")
                    .put("name", "project"));
        }

        @Override
        public boolean samples() {
            return true;
        }

        @Override
        public Uni<JsonNode> createMessage(JsonNode params, ToolCallContext caller) {
            sampled.add(params);
            callers.add(caller);
            ObjectNode r =
                    Json.MAPPER.createObjectNode().put("role", "assistant").put("model", "test-model");
            r.putObject("content").put("type", "text").put("text", "sampled answer 7");
            r.put("stopReason", "endTurn");
            return Uni.createFrom().item(r);
        }

        @Override
        public boolean elicits() {
            return true;
        }

        @Override
        public Uni<JsonNode> elicit(JsonNode params, ToolCallContext caller) {
            elicited.add(params);
            callers.add(caller);
            ObjectNode r = Json.MAPPER.createObjectNode().put("action", "accept");
            r.putObject("content").put("name", "Ada Lovelace").put("check", true);
            return Uni.createFrom().item(r);
        }
    }

    @Test
    void serverEverythingGetsRootsSamplingAndElicitationAndServesResourcesAndPromptsOverStdio() throws Exception {
        exerciseEverything(new StdioClientConnector(
                List.of(McpTestSupport.node(), everything.toString(), "stdio"), Map.of(), null));
    }

    @Test
    void serverEverythingGetsRootsSamplingAndElicitationAndServesResourcesAndPromptsOverStreamableHttp()
            throws Exception {
        int port = ServerEverythingTest.freePort();
        Process p = ServerEverythingTest.startAndWait(
                List.of(McpTestSupport.node(), everything.toString(), "streamableHttp"),
                Map.of("PORT", Integer.toString(port)),
                "listening on port");
        try {
            exerciseEverything(
                    new StreamableHttpClientConnector(URI.create("http://127.0.0.1:" + port + "/mcp"), Map.of()));
        } finally {
            ServerEverythingTest.stop(p);
        }
    }

    @Test
    void serverEverythingGetsRootsSamplingAndElicitationAndServesResourcesAndPromptsOverWebSocket() throws Exception {
        int port = ServerEverythingTest.freePort();
        // server-everything's own server on a plain WebSocket (src/test/node/everything-ws.mjs): supergateway's
        // WebSocket mode rewrites the id of every message a client sends, answers to server requests included.
        Process p = ServerEverythingTest.startAndWait(
                List.of(McpTestSupport.node(), "everything-ws.mjs", Integer.toString(port)),
                Map.of(),
                "listening on port");
        try {
            exerciseEverything(
                    new WebSocketClientConnector(McpTestSupport.VERTX, URI.create("ws://127.0.0.1:" + port + "/")));
        } finally {
            ServerEverythingTest.stop(p);
        }
    }

    void exerciseEverything(Connector connector) throws Exception {
        Answering user = new Answering();
        // The stateless revision is asked for: server-everything has no server/discover, so the client
        // falls back to the initialize handshake of 2025-11-25 (version negotiation).
        McpClient client = new McpClient(
                        connector, McpClient.Options.defaults().withProtocolVersion(ProtocolVersions.STATELESS))
                .handleRequests(user);
        try {
            client.connect().await().atMost(WAIT);
            assertFalse(client.stateless(), "server-everything speaks only the session revisions");
            assertEquals(ProtocolVersions.LATEST, client.initializeResult().protocolVersion());
            // The tools that need a client capability are registered once the server saw ours.
            Await.until(
                    "the capability-gated tools are listed",
                    () -> names(client)
                            .containsAll(List.of(
                                    "get-roots-list", "trigger-sampling-request", "trigger-elicitation-request")));

            ToolCallContext call = new ToolCallContext("session-1", "turn-1", "call-1", (p, m) -> {});
            CallToolResult roots = client.callTool(
                            "get-roots-list", Json.MAPPER.createObjectNode(), client.requestDefaults(), call)
                    .await()
                    .atMost(WAIT);
            assertTrue(roots.text().contains("file:///srv/project"), roots.text());

            CallToolResult sampled = client.callTool(
                            "trigger-sampling-request",
                            Json.MAPPER
                                    .createObjectNode()
                                    .put("prompt", "name a colour")
                                    .put("maxTokens", 20),
                            client.requestDefaults(),
                            call)
                    .await()
                    .atMost(WAIT);
            assertTrue(sampled.text().contains("sampled answer 7"), sampled.text());
            JsonNode asked = user.sampled.getFirst();
            assertTrue(asked.path("messages")
                    .path(0)
                    .path("content")
                    .path("text")
                    .asText()
                    .contains("name a colour"));
            assertEquals(20, asked.path("maxTokens").asInt());
            assertSame(call, user.callers.getFirst(), "the request is attributed to the running tool call");

            ToolCallContext second = new ToolCallContext("session-1", "turn-1", "call-2", (p, m) -> {});
            CallToolResult elicited = client.callTool(
                            "trigger-elicitation-request",
                            Json.MAPPER.createObjectNode(),
                            client.requestDefaults(),
                            second)
                    .await()
                    .atMost(WAIT);
            assertTrue(elicited.text().contains("Ada Lovelace"), elicited.text());
            assertTrue(user.elicited
                    .getFirst()
                    .path("requestedSchema")
                    .path("properties")
                    .has("name"));
            assertSame(second, user.callers.get(1));

            assertTrue(client.offers("resources") && client.offers("prompts"));
            List<JsonNode> resources = client.listResources().await().atMost(WAIT);
            assertFalse(resources.isEmpty());
            String uri = resources.getFirst().path("uri").asText();
            JsonNode read = client.readResource(uri).await().atMost(WAIT);
            assertEquals(uri, read.path("contents").path(0).path("uri").asText());
            ReadResourceTool tool = new ReadResourceTool(client, "everything__read_resource", resources, List.of());
            assertTrue(tool.spec().description().contains(uri), tool.spec().description());
            var viaTool = tool.call(Json.MAPPER.createObjectNode().put("uri", uri), call)
                    .await()
                    .atMost(WAIT);
            assertFalse(viaTool.isError(), viaTool.text());
            assertEquals(ReadResourceTool.text(read), viaTool.text());
            assertFalse(client.listResourceTemplates().await().atMost(WAIT).isEmpty());

            List<String> prompts = client.listPrompts().await().atMost(WAIT).stream()
                    .map(n -> n.path("name").asText())
                    .toList();
            assertTrue(prompts.containsAll(List.of("simple-prompt", "args-prompt")), prompts.toString());
            JsonNode prompt = client.getPrompt("args-prompt", Map.of("city", "Lisbon"))
                    .await()
                    .atMost(WAIT);
            assertTrue(prompt.path("messages").toString().contains("Lisbon"), prompt.toString());
        } finally {
            client.close();
        }
    }

    static List<String> names(McpClient client) {
        return client.tools().stream().map(McpTool::name).toList();
    }

    static ToolServerDefinition tripPlanning() {
        for (ToolServerDefinition d : ServiceLoader.load(ToolServerDefinition.class)) {
            if (d.name().equals("trip-planning")) {
                return d;
            }
        }
        throw new AssertionError("no trip-planning tool server on the class path");
    }

    @Test
    void tripPlanningResourcesAndPromptsInBothRevisionsOverStdioStreamableHttpAndWebSocket() throws Exception {
        ToolServerDefinition def = tripPlanning();
        Map<String, String> options = Map.of("size", "small");
        McpServer server = new McpServer(
                new Implementation("thinkloop-trip-planning", "test"),
                def.description(),
                new ToolCatalog(def.tools(options)),
                def.content(options),
                100);
        McpWebSocketServer listening = new McpWebSocketServer(
                        McpTestSupport.VERTX, server, McpWebSocketServer.Options.loopback(0))
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            List<String> stdio = new ArrayList<>(List.of(
                    McpTestSupport.javaBin(), "--add-modules=jdk.incubator.vector", "-cp", McpTestSupport.classPath()));
            stdio.addAll(
                    List.of("io.thinkloop.Main", "tool-server", "trip-planning", "--stdio", "--opt", "size=small"));
            for (String version : List.of(ProtocolVersions.STATELESS, ProtocolVersions.LATEST)) {
                exerciseTrip(new StdioClientConnector(stdio, Map.of(), null), version);
                exerciseTrip(new StreamableHttpClientConnector(URI.create(listening.httpUrl()), Map.of()), version);
                exerciseTrip(new WebSocketClientConnector(McpTestSupport.VERTX, URI.create(listening.url())), version);
            }
        } finally {
            listening.stop();
        }
    }

    void exerciseTrip(Connector connector, String version) {
        McpClient client = new McpClient(connector, McpClient.Options.defaults().withProtocolVersion(version))
                .handleRequests(new Answering());
        String where = connector.describe() + " " + version;
        try {
            client.connect().await().atMost(Duration.ofSeconds(60));
            assertEquals(ProtocolVersions.STATELESS.equals(version), client.stateless(), where);
            assertEquals(version, client.initializeResult().protocolVersion(), where);
            assertEquals(
                    "thinkloop-trip-planning",
                    client.initializeResult().serverInfo().name(),
                    where);
            assertEquals(15, client.tools().size(), where);
            CallToolResult cities = client.callTool("get_all_cities", Json.MAPPER.createObjectNode())
                    .await()
                    .atMost(WAIT);
            assertFalse(cities.failed(), where + cities.text());
            List<JsonNode> resources = client.listResources().await().atMost(WAIT);
            assertEquals("trip://cities", resources.getFirst().path("uri").asText(), where);
            JsonNode read = client.readResource("trip://cities").await().atMost(WAIT);
            String first = Json.MAPPER
                    .readTree(read.path("contents").path(0).path("text").asText())
                    .path(0)
                    .path("name")
                    .asText();
            assertTrue(!first.isEmpty() && cities.text().contains(first), where);
            assertEquals(
                    "trip://cities/{city}",
                    client.listResourceTemplates()
                            .await()
                            .atMost(WAIT)
                            .getFirst()
                            .path("uriTemplate")
                            .asText(),
                    where);
            JsonNode prompt = client.getPrompt("plan_trip", Map.of("origin", first, "destination", first, "days", "3"))
                    .await()
                    .atMost(WAIT);
            assertTrue(prompt.path("messages").toString().contains(first), where + prompt);
        } catch (Exception e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        } finally {
            client.close();
        }
    }
}
