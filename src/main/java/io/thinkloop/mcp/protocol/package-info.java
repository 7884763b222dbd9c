/**
 * The JSON-RPC engine both ends share: correlation of requests and responses, concurrent dispatch of
 * inbound requests (so a ping or a cancel is never queued behind a long call), progress, cancellation,
 * timeouts; and the {@link io.thinkloop.mcp.protocol.Transport} seam the transports implement.
 */
package io.thinkloop.mcp.protocol;
