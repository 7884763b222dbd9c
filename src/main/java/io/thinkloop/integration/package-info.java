/**
 * Where the service's parts meet (its wiring, above the agent and the MCP library, below the endpoints):
 * {@link io.thinkloop.integration.McpServerManager} connects the MCP servers configured in
 * {@code application.properties} or an {@code mcpServers} JSON file and keeps them connected;
 * {@link io.thinkloop.integration.McpToolBridge} puts their tools into the agent's tool registry;
 * {@link io.thinkloop.integration.AgentMcpTool} makes the agent the {@code agent} tool of the service's own
 * MCP endpoint; {@link io.thinkloop.integration.McpServersHealthCheck} shows each server's state in
 * {@code /q/health}; {@link io.thinkloop.integration.McpServerDirectory} is what the console's MCP panel reads.
 */
package io.thinkloop.integration;
