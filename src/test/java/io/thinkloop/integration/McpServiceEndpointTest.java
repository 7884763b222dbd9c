package io.thinkloop.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.Interop;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The service's /mcp/ws endpoint (driven by the TypeScript SDK) and its configured MCP servers (manager, health). */
@QuarkusTest
@TestProfile(McpServiceTestProfile.class)
class McpServiceEndpointTest {
    @TestHTTPResource("/mcp/ws")
    URI endpoint;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @Inject
    McpServerManager manager;

    @Inject
    ToolRegistry registry;

    String wsUrl() {
        return endpoint.toString().replaceFirst("^http", "ws");
    }

    @Test
    void tsSdkClientAgainstServiceEndpoint() throws Exception {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
        var denied = McpTestSupport.runNode(Duration.ofSeconds(30), "ts-client.mjs", wsUrl());
        assertTrue(denied.output().contains("CHECK initialize FAIL"), denied.output());
        var r = McpTestSupport.runNode(Duration.ofSeconds(60), "ts-client.mjs", wsUrl() + "?token=svc-token");
        System.out.println(r.output());
        assertTrue(r.output().contains("SUMMARY 12 passed, 0 failed"), r.output());
    }

    @Test
    void ourClientWithSubprotocolTokenCarrier() throws Exception {
        var connector = new WebSocketClientConnector(
                McpTestSupport.VERTX,
                URI.create(wsUrl()),
                "svc-token",
                Map.of(),
                16 << 20,
                Duration.ofSeconds(30),
                true);
        McpClient c = new McpClient(connector);
        try {
            c.connect().await().atMost(Duration.ofSeconds(10));
            // behind a token, the service also offers the agent itself as a tool
            assertTrue(
                    c.tools().stream().anyMatch(t -> t.name().equals(McpServiceTools.AGENT_TOOL)),
                    c.tools().toString());
            assertEquals(
                    "Echo: carrier",
                    c.callTool("echo", Json.MAPPER.createObjectNode().put("message", "carrier"))
                            .await()
                            .atMost(Duration.ofSeconds(5))
                            .text());
        } finally {
            c.close();
        }
    }

    @Test
    void configuredServersAreConnectedPrefixedOnCollisionAndInHealth() throws Exception {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
        Await.until(
                "every configured server ready",
                Duration.ofSeconds(30),
                manager::status,
                status -> status.stream().allMatch(s -> s.state() == McpClient.State.READY));
        List<String> names = manager.tools().stream().map(t -> t.spec().name()).toList();
        assertTrue(names.contains("local__echo") && names.contains("everything__echo"), names.toString());
        assertTrue(names.contains("add") && names.contains("get-sum") && !names.contains("echo"), names.toString());
        // ... and their tools are in the agent's registry, by server; "local" must not pose as the local Java tools
        Await.until(
                "the MCP tools in the registry",
                Duration.ofSeconds(30),
                registry::specs,
                specs -> registry.find("everything__echo").isPresent()
                        && registry.find("local__echo").isPresent());
        assertEquals(Optional.of("everything"), registry.sourceOf("everything__echo"));
        assertEquals(Optional.of("mcp:local"), registry.sourceOf("local__echo"));
        assertEquals(Optional.of("everything"), registry.sourceOf("get-sum"));
        Tool echo = manager.tools().stream()
                .filter(t -> t.spec().name().equals("everything__echo"))
                .findFirst()
                .orElseThrow();
        ToolResult result = echo.call(
                        Json.MAPPER.createObjectNode().put("message", "via manager"), ToolCallContext.detached("t1"))
                .await()
                .atMost(Duration.ofSeconds(10));
        assertEquals("Echo: via manager", result.text());

        HttpResponse<String> health = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println(health.body());
        assertEquals(200, health.statusCode());
        var checks = Json.MAPPER.readTree(health.body()).path("checks");
        var mcp = StreamSupport.stream(checks.spliterator(), false)
                .filter(c -> c.path("name").asText().equals("mcp-servers"))
                .findFirst()
                .orElseThrow();
        assertTrue(mcp.path("data").path("local").asText().startsWith("READY"), mcp.toString());
        assertTrue(mcp.path("data").path("everything").asText().startsWith("READY"), mcp.toString());
    }
}
