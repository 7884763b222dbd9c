package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.tools.ToolServerDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LangChain's {@code @langchain/mcp-adapters} (npm, 1.1.4), as an agent framework loads MCP tools, against our
 * trip-planning tool server over stdio (a Claude-Desktop-style entry launching {@code thinkloop tool-server
 * trip-planning --stdio}) and over Streamable HTTP: tools loaded and called as LangChain tools, a tool error
 * returned, resources listed and read.
 */
class LangChainMcpAdaptersTest {

    @Test
    void langChainLoadsAndCallsTripPlanningToolsOverStdioAndStreamableHttp() throws Exception {
        Interop.requirePeer(
                Files.isDirectory(McpTestSupport.nodeDir().resolve("node_modules/@langchain/mcp-adapters")),
                "@langchain/mcp-adapters (npm, src/test/node)");
        ToolServerDefinition def = McpClientFeaturesTest.tripPlanning();
        Map<String, String> options = Map.of("size", "small");
        McpWebSocketServer http = new McpWebSocketServer(
                        McpTestSupport.VERTX,
                        new McpServer(
                                new Implementation("thinkloop-trip-planning", "test"),
                                def.description(),
                                new ToolCatalog(def.tools(options)),
                                def.content(options),
                                100),
                        McpWebSocketServer.Options.loopback(0))
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            ObjectNode root = Json.MAPPER.createObjectNode();
            ObjectNode servers = root.putObject("mcpServers");
            ObjectNode stdio = (ObjectNode) McpJavaSdkInteropTest.claudeDesktopConfig()
                    .path("mcpServers")
                    .path("trip-planning")
                    .deepCopy();
            stdio.put("transport", "stdio");
            servers.set("stdio", stdio);
            servers.putObject("http")
                    .put("transport", "http")
                    .put("url", http.httpUrl())
                    .put("automaticSSEFallback", false);
            Path config = TestTemp.file("langchain-mcp", ".json");
            Files.writeString(config, root.toPrettyString());
            var r = McpTestSupport.runNode(Duration.ofSeconds(120), "langchain-client.mjs", config.toString());
            System.out.println(r.output());
            assertTrue(r.output().contains("SUMMARY 10 passed, 0 failed"), r.output());
            assertEquals(0, r.exit(), r.output());
        } finally {
            http.stop();
        }
    }
}
