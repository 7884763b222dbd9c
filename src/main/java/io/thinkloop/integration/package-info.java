/**
 * Where the service's parts meet: the tools of the configured MCP servers join the agent's tool registry
 * ({@link io.thinkloop.integration.McpToolBridge}), the agent becomes the {@code agent} tool of the
 * service's own MCP endpoint {@code /mcp/ws} ({@link io.thinkloop.integration.AgentMcpTool}), and the web
 * console's MCP panel reads the MCP server manager's status
 * ({@link io.thinkloop.integration.ManagedMcpServerDirectory}).
 */
package io.thinkloop.integration;
