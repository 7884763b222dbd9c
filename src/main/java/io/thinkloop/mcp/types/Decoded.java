package io.thinkloop.mcp.types;

/**
 * What one inbound frame decodes to: a message, or the error reply it deserves (with the id when one
 * could be read, else JSON null), or nothing to say (an invalid message that must not be answered).
 */
public sealed interface Decoded {
    record Valid(JsonRpcMessage message) implements Decoded {}

    /** {@code reply} may be null: a malformed response from the peer is dropped, never answered. */
    record Invalid(JsonRpcMessage.Response reply, String reason) implements Decoded {}
}
