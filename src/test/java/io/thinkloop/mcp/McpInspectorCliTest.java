package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.testkit.Interop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MCP Inspector's CLI (npm {@code @modelcontextprotocol/inspector}, on Node 22) against our servers: a
 * Claude-Desktop-style {@code mcpServers} config launching {@code tool-server trip-planning --stdio}, and a
 * standalone server's Streamable HTTP endpoint.
 */
public class McpInspectorCliTest {
    static final String LAUNCHER = "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js";

    /** Runs the Inspector CLI with these arguments and returns its JSON output (the last JSON document it printed). */
    public static JsonNode inspector(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(LAUNCHER, "--cli"));
        all.addAll(List.of(args));
        McpTestSupport.Result r = McpTestSupport.runNode(Duration.ofMinutes(2), all.toArray(String[]::new));
        assertEquals(0, r.exit(), "inspector " + String.join(" ", args) + ":\n" + r.output());
        String out = r.output();
        int start = out.indexOf('{');
        assertTrue(start >= 0, "JSON output:\n" + out);
        return Json.MAPPER.readTree(out.substring(start, out.lastIndexOf('}') + 1));
    }

    public static boolean installed() {
        return Files.isRegularFile(McpTestSupport.nodeDir().resolve(LAUNCHER));
    }

    @Test
    void theInspectorListsAndCallsToolsThroughAClaudeDesktopStyleStdioEntry() throws Exception {
        Interop.requirePeer(installed(), "the MCP Inspector CLI (npm, src/test/node)");
        Path config = Files.createTempFile("claude-desktop", ".json");
        Files.writeString(config, McpJavaSdkInteropTest.claudeDesktopConfig().toPrettyString());
        JsonNode tools =
                inspector("--config", config.toString(), "--server", "trip-planning", "--method", "tools/list");
        assertEquals(15, tools.path("tools").size(), tools.toString());
        JsonNode cities = inspector(
                "--config",
                config.toString(),
                "--server",
                "trip-planning",
                "--method",
                "tools/call",
                "--tool-name",
                "get_all_cities");
        assertTrue(
                !cities.path("isError").asBoolean(false)
                        && cities.path("content").path(0).path("text").asText().length() > 2,
                cities.toString());
    }

    @Test
    void theInspectorListsAndCallsToolsOverStreamableHttp() throws Exception {
        Interop.requirePeer(installed(), "the MCP Inspector CLI (npm, src/test/node)");
        McpWebSocketServer server = McpTestSupport.startServer();
        try {
            JsonNode tools = inspector(server.httpUrl(), "--transport", "http", "--method", "tools/list");
            assertTrue(tools.path("tools").size() >= 3, tools.toString());
            JsonNode echo = inspector(
                    server.httpUrl(),
                    "--transport",
                    "http",
                    "--method",
                    "tools/call",
                    "--tool-name",
                    "echo",
                    "--tool-arg",
                    "message=hi");
            assertEquals("Echo: hi", echo.path("content").path(0).path("text").asText(), echo.toString());
        } finally {
            server.stop();
        }
    }
}
