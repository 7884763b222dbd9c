package io.thinkloop.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.model.ToolSpec;

/**
 * A tool the agent can call: a local Java tool, or a tool of an MCP server. Arguments reach {@link #call}
 * already validated against {@code spec().parameters()}. Cancelling the returned Uni cancels the call
 * (for MCP tools: {@code notifications/cancelled}).
 */
public interface Tool {
    ToolSpec spec();

    /** JSON Schema of {@code structuredContent}, or null. */
    default JsonNode outputSchema() {
        return null;
    }

    default Approval approval() {
        return Approval.AUTO;
    }

    Uni<ToolResult> call(JsonNode arguments, ToolCallContext context);

    enum Approval {
        AUTO,
        ASK
    }
}
