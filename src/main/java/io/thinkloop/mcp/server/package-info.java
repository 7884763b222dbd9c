/**
 * The MCP server side: {@link io.thinkloop.mcp.server.McpServer} serves a {@link io.thinkloop.mcp.server.ToolCatalog}
 * of {@link io.thinkloop.tools.Tool}s to any number of sessions (lifecycle, tools, progress, cancellation,
 * logging, stateless-style requests), and {@link io.thinkloop.mcp.server.McpWebSocketServer} puts it on a
 * standalone Vert.x WebSocket at {@code /mcp/ws}.
 */
package io.thinkloop.mcp.server;
