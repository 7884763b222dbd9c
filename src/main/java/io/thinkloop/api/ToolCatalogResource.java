package io.thinkloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.integration.McpServerDirectory;
import io.thinkloop.tools.ApprovalPolicy;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Read-only views of the tool registry for the console's "MCP servers and tools" panel.
 *
 * <p>{@code GET /v1/tools}: every registered tool with its source ({@code local} for Java tools, else
 * the MCP server that provides it) and its effective approval ({@code auto} or {@code ask}).
 * {@code GET /v1/mcp/servers}: the configured MCP servers with their state and tools, from the
 * {@link McpServerDirectory} bean when there is one; otherwise the registry's sources other than
 * {@code local}, each listed while it has tools there, as {@code connected}.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ToolCatalogResource {

    static final String LOCAL = "local";

    @Inject
    ToolRegistry registry;

    @Inject
    ApprovalPolicy approvals;

    @Inject
    Instance<McpServerDirectory> directory;

    public record ToolInfo(String name, String description, String source, String approval, JsonNode parameters) {}

    /** {@code target}: where the server is (URL or command), {@code lastError}: why it is not connected; both may be null. */
    public record McpServerInfo(String name, String status, String target, String lastError, List<ToolInfo> tools) {}

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
            out.add(new ToolInfo(
                    name,
                    tool.spec().description(),
                    source,
                    approvals.approvalFor(tool).name().toLowerCase(Locale.ROOT),
                    tool.spec().parameters()));
        }
        return out;
    }

    @GET
    @Path("mcp/servers")
    public List<McpServerInfo> mcpServers() {
        return mcpServers(tools(), directory.isResolvable() ? Optional.of(directory.get()) : Optional.empty());
    }

    static List<McpServerInfo> mcpServers(List<ToolInfo> tools, Optional<McpServerDirectory> directory) {
        List<McpServerInfo> out = new ArrayList<>();
        if (directory.isPresent()) {
            for (McpServerDirectory.Server s : directory.get().servers()) {
                Set<String> names = Set.copyOf(s.toolNames() == null ? List.of() : s.toolNames());
                List<ToolInfo> own = tools.stream()
                        .filter(t -> names.contains(t.name()) || s.name().equals(t.source()))
                        .toList();
                String state = s.state() == null ? "unknown" : s.state().toLowerCase(Locale.ROOT);
                out.add(new McpServerInfo(s.name(), state, s.target(), s.lastError(), own));
            }
            return out;
        }
        Map<String, List<ToolInfo>> bySource = new TreeMap<>();
        for (ToolInfo t : tools) {
            if (!LOCAL.equals(t.source())) {
                bySource.computeIfAbsent(t.source(), k -> new ArrayList<>()).add(t);
            }
        }
        bySource.forEach((name, own) -> out.add(new McpServerInfo(name, "connected", null, null, List.copyOf(own))));
        return out;
    }
}
