/**
 * The MCP client: {@link io.thinkloop.mcp.client.McpClient} connects through any
 * {@link io.thinkloop.mcp.protocol.Connector}, initializes, caches the tool list (refreshed on
 * {@code list_changed} and after every reconnect) and calls tools with timeouts that progress extends up
 * to a hard cap; {@link io.thinkloop.mcp.client.RemoteTool} presents a remote tool as an
 * {@link io.thinkloop.tools.Tool}.
 */
package io.thinkloop.mcp.client;
