package io.thinkloop.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.tools.ApprovalPolicy;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read-only views of the tool registry for the console's "MCP servers and tools" panel.
 *
 * <p>{@code GET /v1/tools}: every registered tool with its source ({@code local} for Java tools, else
 * the MCP server that provides it) and its effective approval ({@code auto} or {@code ask}).
 * {@code GET /v1/mcp/servers}: the sources other than {@code local}, each with its tools. A server is
 * listed while it has tools in the registry (its client registers them on connect and removes them when
 * it goes away), so {@code status} is {@code connected}; an MCP server manager with richer state (e.g.
 * servers that failed to connect) can take this endpoint over.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ToolCatalogResource {

    static final String LOCAL = "local";

    @Inject
    ToolRegistry registry;
    @Inject
    ApprovalPolicy approvals;

    public record ToolInfo(String name, String description, String source, String approval, JsonNode parameters) {
    }

    public record McpServerInfo(String name, String status, List<ToolInfo> tools) {
    }

    @GET
    @Path("tools")
    public List<ToolInfo> tools() {
        List<ToolInfo> out = new ArrayList<>();
        for (Tool tool : registry.list()) {
            String name = tool.spec().name();
            String source = registry.sourceOf(name).orElse(null);
            if (source == null) {
                continue; // removed since the snapshot was taken
            }
            out.add(new ToolInfo(name, tool.spec().description(), source,
                    approvals.approvalFor(tool).name().toLowerCase(Locale.ROOT), tool.spec().parameters()));
        }
        return out;
    }

    @GET
    @Path("mcp/servers")
    public List<McpServerInfo> mcpServers() {
        Map<String, List<ToolInfo>> bySource = new TreeMap<>();
        for (ToolInfo t : tools()) {
            if (!LOCAL.equals(t.source())) {
                bySource.computeIfAbsent(t.source(), s -> new ArrayList<>()).add(t);
            }
        }
        List<McpServerInfo> out = new ArrayList<>();
        bySource.forEach((name, tools) -> out.add(new McpServerInfo(name, "connected", List.copyOf(tools))));
        return out;
    }
}
