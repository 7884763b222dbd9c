package io.thinkloop.integration;

import java.util.List;

/**
 * What the console's MCP panel shows about MCP servers, beyond the tools they put in the registry: where
 * each server is, whether it is connected, and why not. The MCP server manager provides it as a CDI bean
 * (an adapter over its status list); without one, {@code GET /v1/mcp/servers} derives the servers from
 * the tool registry's sources, which shows only connected servers.
 */
public interface McpServerDirectory {

    /**
     * One configured server. {@code state}: e.g. {@code READY}, {@code CONNECTING}, {@code FAILED};
     * {@code toolNames}: the registry names of its tools (possibly prefixed {@code server__tool}).
     */
    record Server(String name, String target, String state, String lastError, List<String> toolNames) {}

    List<Server> servers();
}
