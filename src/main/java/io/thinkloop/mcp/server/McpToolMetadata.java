package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Optional MCP-only metadata a {@link io.thinkloop.tools.Tool} may also implement: a display title and
 * the behaviour hints of {@code annotations} ({@code readOnlyHint}, {@code destructiveHint}, ...).
 */
public interface McpToolMetadata {
    default String title() {
        return null;
    }

    default JsonNode annotations() {
        return null;
    }
}
