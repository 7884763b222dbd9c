package io.thinkloop.mcp;

import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.Implementation;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Shared fixtures: one Vert.x, a standalone MCP server of the test tools, the installed node peers. */
public final class McpTestSupport {
    public static final Vertx VERTX = Vertx.vertx();

    private McpTestSupport() {
    }

    public static McpWebSocketServer startServer(McpWebSocketServer.Options options, Map<String, String> toolOptions) throws Exception {
        McpServer server = new McpServer(new Implementation("thinkloop-test", "1.0"), "test tools",
                new ToolCatalog(new TestToolServer().tools(toolOptions)), 3);
        return new McpWebSocketServer(VERTX, server, options).start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static McpWebSocketServer startServer() throws Exception {
        return startServer(McpWebSocketServer.Options.loopback(0), Map.of());
    }

    public static McpClient client(String url, McpClient.Options options) {
        return new McpClient(new WebSocketClientConnector(VERTX, URI.create(url), null, Map.of(),
                WebSocketClientConnector.DEFAULT_MAX_MESSAGE, Duration.ofSeconds(30)), options);
    }

    /** src/test/node, where setup.sh installed the npm peers. */
    public static Path nodeDir() {
        return Path.of("src/test/node").toAbsolutePath();
    }

    public static boolean nodePeersInstalled() {
        return Files.isDirectory(nodeDir().resolve("node_modules/@modelcontextprotocol/sdk"));
    }

    public static String node() {
        return "node";
    }
}
