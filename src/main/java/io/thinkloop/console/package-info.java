/**
 * The web console's server side: the page itself is static (META-INF/resources/index.html and
 * console/*.js, served at {@code /}); this package adds the read-only REST views it shows beside the
 * chat, the tool registry ({@code GET /v1/tools}) and the tool sources that are MCP servers
 * ({@code GET /v1/mcp/servers}).
 */
package io.thinkloop.console;
