package io.thinkloop.mcp.client;

import io.thinkloop.tools.Tool;

/** A tool backed by one MCP server's connection: one of its tools, or a view of its resources. */
public interface ServerTool extends Tool {
    McpClient client();
}
