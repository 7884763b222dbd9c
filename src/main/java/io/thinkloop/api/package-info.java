/**
 * Every network endpoint of the service, behind one API-key / Origin / size-limit guard: WebSocket agent
 * sessions ({@code /v1/sessions/{id}/ws}) with their REST and Server-Sent Events equivalents, the
 * OpenAI-compatible {@code /v1/models} and {@code /v1/chat/completions}, the service's MCP endpoint
 * {@code /mcp/ws}, bench runs ({@code /v1/bench/runs}), the console's read-only views ({@code /v1/tools},
 * {@code /v1/mcp/servers}), and the embedded engine's status ({@code /v1/engine}, readiness).
 */
package io.thinkloop.api;
