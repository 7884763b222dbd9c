package io.thinkloop.runtime;

import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcptools.calculator.CalculatorServer;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real calculator tool server (the standalone MCP WebSocket server of {@code io.thinkloop.mcp}) on a free
 * loopback port, started once for the runtime test profile, which configures it as the service's MCP
 * server {@code calc}. Tests may stop it and start it again on the same port.
 */
final class CalculatorToolServer {
    static final String NAME = "calc";
    private static McpWebSocketServer server;
    private static int port;
    // Its own executor: Mutiny's default pool, captured before Quarkus boots, is replaced (and shut down) by it.
    static final ToolCatalog CATALOG =
            new ToolCatalog(CalculatorServer.tools(Executors.newVirtualThreadPerTaskExecutor()));

    private CalculatorToolServer() {}

    static synchronized String url() {
        if (server == null) {
            start();
        }
        return "ws://127.0.0.1:" + port + McpWebSocketServer.PATH;
    }

    static synchronized void start() {
        try {
            McpServer mcp = new McpServer(new Implementation("calculator", "test"), "calculator", CATALOG, 100);
            server = new McpWebSocketServer(McpTestSupport.VERTX, mcp, McpWebSocketServer.Options.loopback(port))
                    .start()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            port = server.port();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the calculator tool server", e);
        }
    }

    static synchronized void stop() {
        try {
            server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
