/**
 * MCP inside the Quarkus service: {@link io.thinkloop.mcp.runtime.McpServerManager} connects the MCP
 * servers configured in {@code application.properties} or an {@code mcpServers} JSON file, keeps them
 * connected and publishes their tools (the seam the agent runtime's tool registry uses);
 * {@link io.thinkloop.mcp.runtime.McpServersHealthCheck} shows each server's state in {@code /q/health};
 * {@link io.thinkloop.mcp.runtime.McpWebSocketRoute} serves the service's own tools at {@code /mcp/ws}.
 */
package io.thinkloop.mcp.runtime;
