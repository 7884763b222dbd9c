package io.thinkloop.mcp.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.util.List;

/**
 * The resources of one MCP server as a tool the agent can call: {@code resources/read} by URI. Resources are
 * the server's read-only context (files, database rows, a task's constraints); without this tool a model could
 * only see them if a user attached them. The description names the server's resources and templates (the first
 * {@link #LISTED} of each) so the model knows what to ask for; text contents come back as text, binary ones as a
 * note of their type and size (the model cannot read base64).
 */
public final class ReadResourceTool implements ServerTool {
    /** Resources and templates named in the description, at most, each. */
    public static final int LISTED = 50;

    public static final String NAME = "read_resource";

    private final McpClient client;
    private final ToolSpec spec;

    public ReadResourceTool(McpClient client, String exposedName, List<JsonNode> resources, List<JsonNode> templates) {
        this.client = client;
        StringBuilder d = new StringBuilder("Reads a resource of the MCP server at ")
                .append(client.describe())
                .append(" by its URI (resources/read) and returns its contents.");
        if (!resources.isEmpty()) {
            d.append(" Resources:");
            resources.stream()
                    .limit(LISTED)
                    .forEach(r -> describe(d, r.path("uri").asText(), r));
            if (resources.size() > LISTED) {
                d.append(" (and ").append(resources.size() - LISTED).append(" more)");
            }
            d.append('.');
        }
        if (!templates.isEmpty()) {
            d.append(" URI templates:");
            templates.stream()
                    .limit(LISTED)
                    .forEach(t -> describe(d, t.path("uriTemplate").asText(), t));
            d.append('.');
        }
        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
        schema.putObject("properties").putObject("uri").put("type", "string").put("description", "the resource's URI");
        schema.putArray("required").add("uri");
        this.spec = new ToolSpec(exposedName, d.toString(), schema);
    }

    private static void describe(StringBuilder d, String uri, JsonNode r) {
        d.append(' ').append(uri);
        String name = r.path("title").isTextual()
                ? r.path("title").asText()
                : r.path("name").asText("");
        if (!name.isBlank()) {
            d.append(" (").append(name).append(')');
        }
        d.append(',');
    }

    @Override
    public McpClient client() {
        return client;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
        String uri = arguments == null ? "" : arguments.path("uri").asText("");
        if (uri.isBlank()) {
            return Uni.createFrom().item(ToolResult.error("read_resource needs a uri"));
        }
        return client.readResource(uri)
                .map(r -> new ToolResult(text(r), r, false))
                .onFailure(McpException.class)
                .recoverWithItem(e -> ToolResult.error("reading " + uri + " failed: " + e.getMessage()));
    }

    /** The contents as the model reads them: each text as is, each blob as a note. */
    public static String text(JsonNode result) {
        StringBuilder out = new StringBuilder();
        for (JsonNode c : result.path("contents")) {
            if (!out.isEmpty()) {
                out.append("\n\n");
            }
            if (c.has("text")) {
                out.append(c.path("text").asText());
            } else if (c.has("blob")) {
                out.append("[binary ")
                        .append(c.path("mimeType").asText("content"))
                        .append(" at ")
                        .append(c.path("uri").asText())
                        .append(", ")
                        .append(c.path("blob").asText().length() * 3 / 4)
                        .append(" bytes]");
            }
        }
        return out.toString();
    }
}
