package io.thinkloop.integration;

import io.thinkloop.console.McpServerDirectory;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.runtime.McpServerManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The console's view of the MCP servers ({@code GET /v1/mcp/servers}) from {@link McpServerManager#status()}:
 * every configured server, also those that never connected, with where it is and its last error.
 * States: {@code ready}, {@code connecting}, {@code failed} (not connected, with the reason; the manager
 * keeps retrying), {@code disconnected}, {@code closed}.
 */
@ApplicationScoped
public class ManagedMcpServerDirectory implements McpServerDirectory {
    @Inject
    McpServerManager manager;
    @Inject
    McpToolBridge bridge;

    @Override
    public List<Server> servers() {
        return manager.status().stream()
                .map(s -> new Server(s.name(), s.target(), state(s.state(), s.lastError()),
                        s.state() == McpClient.State.READY ? null : s.lastError(), bridge.toolNames(s.name())))
                .toList();
    }

    static String state(McpClient.State state, String lastError) {
        return switch (state) {
            case READY -> "ready";
            case CONNECTING -> "connecting";
            case DISCONNECTED -> lastError == null ? "disconnected" : "failed";
            case CLOSED -> "closed";
        };
    }
}
