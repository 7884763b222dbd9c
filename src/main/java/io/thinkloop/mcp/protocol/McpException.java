package io.thinkloop.mcp.protocol;

import io.thinkloop.mcp.types.JsonRpcError;

/** A request that failed with a JSON-RPC error (from the peer, or locally: timeout, connection closed). */
public final class McpException extends RuntimeException {
    private final JsonRpcError error;

    public McpException(JsonRpcError error) {
        super(error.message() + " (" + error.code() + ")");
        this.error = error;
    }

    public McpException(int code, String message) {
        this(JsonRpcError.of(code, message));
    }

    public JsonRpcError error() {
        return error;
    }

    public int code() {
        return error.code();
    }
}
