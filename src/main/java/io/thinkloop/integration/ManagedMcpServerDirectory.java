package io.thinkloop.integration;

import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The console's view of the MCP servers ({@code GET /v1/mcp/servers}) from {@link McpServerManager#status()}:
 * every configured server, also those that never connected, with where it is and its last error.
 * States: {@code ready}, {@code connecting}, {@code failed} (not connected, with the reason; the manager
 * keeps retrying), {@code disconnected}, {@code closed}. Tool sources in the registry that are neither
 * {@code local} nor a configured server (tools registered under their own source by other code) follow,
 * as {@code connected}, the way the console shows registry sources without a directory.
 */
@ApplicationScoped
public class ManagedMcpServerDirectory implements McpServerDirectory {
    @Inject
    McpServerManager manager;

    @Inject
    McpToolBridge bridge;

    @Inject
    ToolRegistry registry;

    @Override
    public List<Server> servers() {
        List<Server> out = new ArrayList<>();
        Set<String> managedSources = new HashSet<>();
        for (McpServerManager.ServerStatus s : manager.status()) {
            managedSources.add(McpToolBridge.sourceOf(s.name()));
            out.add(new Server(
                    s.name(),
                    s.target(),
                    state(s.state(), s.lastError()),
                    s.state() == McpClient.State.READY ? null : s.lastError(),
                    bridge.toolNames(s.name())));
        }
        Map<String, List<String>> others = new TreeMap<>();
        for (Tool t : registry.list()) {
            String name = t.spec().name();
            registry.sourceOf(name)
                    .filter(src -> !src.equals(McpToolBridge.LOCAL_SOURCE) && !managedSources.contains(src))
                    .ifPresent(src ->
                            others.computeIfAbsent(src, k -> new ArrayList<>()).add(name));
        }
        others.forEach((source, names) -> out.add(new Server(source, null, "connected", null, List.copyOf(names))));
        return out;
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
