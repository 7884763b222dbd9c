/**
 * The Model Context Protocol over JSON-RPC 2.0, split as the TypeScript SDK splits it: {@code types}
 * (wire records), {@code protocol} (the JSON-RPC engine shared by both ends), {@code client},
 * {@code server}, {@code transport} (WebSocket, stdio, Streamable HTTP) and {@code runtime} (the
 * service's configured MCP servers and its own {@code /mcp/ws} endpoint).
 */
package io.thinkloop.mcp;
