package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thinkloop.api.ToolCatalogResource.McpServerInfo;
import io.thinkloop.api.ToolCatalogResource.ToolInfo;
import io.thinkloop.integration.McpServerDirectory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How {@code GET /v1/mcp/servers} groups the registry's tools, with and without a server directory. */
class ToolCatalogResourceTest {

    static ToolInfo tool(String name, String source) {
        return new ToolInfo(name, "", source, "auto", null);
    }

    final List<ToolInfo> tools = List.of(
            tool("add", "local"),
            tool("search", "web"),
            tool("fetch", "web"),
            tool("book", "trip"),
            tool("trip__find", "mcp"));

    @Test
    void withoutDirectoryEverySourceButLocalIsAConnectedServer() {
        List<McpServerInfo> servers = ToolCatalogResource.mcpServers(tools, Optional.empty());
        assertEquals(
                List.of("mcp", "trip", "web"),
                servers.stream().map(McpServerInfo::name).toList());
        McpServerInfo web = servers.get(2);
        assertEquals("connected", web.status());
        assertEquals(
                List.of("search", "fetch"),
                web.tools().stream().map(ToolInfo::name).toList());
    }

    @Test
    void directoryListsEveryConfiguredServerWithItsStateAndTools() {
        McpServerDirectory directory = () -> List.of(
                new McpServerDirectory.Server("trip", "ws://localhost:9000/mcp", "READY", null, List.of("trip__find")),
                new McpServerDirectory.Server("files", "npx server-filesystem", "FAILED", "exited with 1", List.of()));
        List<McpServerInfo> servers = ToolCatalogResource.mcpServers(tools, Optional.of(directory));
        assertEquals(2, servers.size());
        McpServerInfo trip = servers.get(0);
        assertEquals("ready", trip.status());
        assertEquals("ws://localhost:9000/mcp", trip.target());
        assertEquals(
                List.of("book", "trip__find"),
                trip.tools().stream().map(ToolInfo::name).toList());
        McpServerInfo files = servers.get(1);
        assertEquals("failed", files.status());
        assertEquals("exited with 1", files.lastError());
        assertEquals(List.of(), files.tools());
    }
}
