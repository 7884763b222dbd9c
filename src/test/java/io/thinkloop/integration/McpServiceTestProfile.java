package io.thinkloop.integration;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The service with test tools at /mcp/ws behind a token, and two configured MCP servers in an
 * {@code mcpServers} file: a standalone WebSocket server of the test tools and server-everything over stdio
 * (both have {@code echo}: a name collision).
 */
public class McpServiceTestProfile implements QuarkusTestProfile {
    static McpWebSocketServer standalone;
    static Path configFile;

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            if (standalone == null) {
                standalone = McpTestSupport.startServer();
                var root = Json.MAPPER.createObjectNode();
                var servers = root.putObject("mcpServers");
                servers.putObject("local").put("url", standalone.url());
                var everything = servers.putObject("everything").put("command", McpTestSupport.node());
                everything
                        .putArray("args")
                        .add(McpTestSupport.nodeDir()
                                .resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js")
                                .toString())
                        .add("stdio");
                configFile = TestTemp.file("mcp-servers", ".json");
                Files.writeString(configFile, root.toPrettyString());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "thinkloop.mcp.server.tool-servers", "test-tools",
                "thinkloop.mcp.server.token", "svc-token",
                "thinkloop.mcp.config-file", configFile.toString());
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of();
    }
}
