package io.thinkloop.mcp.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;

/**
 * A tool of an MCP server as a local {@link Tool}, possibly under another name (e.g. {@code server__tool}).
 * Cancelling the Uni cancels the remote call. Both shapes a server may use to refuse a call (a JSON-RPC
 * error such as -32602 for an unknown tool, or a result with {@code isError: true}) become error results
 * the model can read.
 */
public final class RemoteTool implements ServerTool {
    private final McpClient client;
    private final McpTool remote;
    private final ToolSpec spec;

    public RemoteTool(McpClient client, McpTool remote, String exposedName) {
        this.client = client;
        this.remote = remote;
        this.spec = new ToolSpec(exposedName, remote.description(), remote.inputSchema());
    }

    public McpTool remote() {
        return remote;
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
    public JsonNode outputSchema() {
        return remote.outputSchema();
    }

    @Override
    public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
        RequestOptions opts = client.requestDefaults()
                .withProgress((progress, total, message) ->
                        context.progress().accept(total != null && total > 0 ? progress / total : progress, message));
        return client.callTool(remote.name(), arguments, opts, context)
                .map(r -> new ToolResult(r.text(), r.structuredContent(), r.failed()))
                .onFailure(McpException.class)
                .recoverWithItem(e -> ToolResult.error("MCP tool " + remote.name() + " failed: " + e.getMessage()));
    }
}
