package io.thinkloop.mcp.types;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code error} member of a JSON-RPC response. */
public record JsonRpcError(int code, String message, JsonNode data) {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** The request carried a protocol version (stateless style) this server does not speak. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
    /** Client-side only: the request timed out or the connection went away (never sent on the wire). */
    public static final int REQUEST_TIMEOUT = -32001;

    public static final int CONNECTION_CLOSED = -32000;
    /**
     * A per-connection limit of the server was reached (requests in flight, request rate); {@code data.limit}
     * says which ({@code in_flight}, {@code rate}), {@code data.max} its value. The request was not served;
     * retrying later may succeed.
     */
    public static final int LIMIT_EXCEEDED = -32029;

    public static JsonRpcError of(int code, String message) {
        return new JsonRpcError(code, message, null);
    }
}
