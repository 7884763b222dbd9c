/**
 * Transports that carry MCP: WebSocket (server and client, Vert.x, subprotocol {@code mcp}, one message
 * per text frame), stdio to a launched server process (newline-delimited JSON), and Streamable HTTP
 * (POST, answered by JSON or an SSE stream, session by {@code Mcp-Session-Id}).
 */
package io.thinkloop.mcp.transport;
