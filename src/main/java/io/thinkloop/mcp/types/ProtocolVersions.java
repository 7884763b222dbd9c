package io.thinkloop.mcp.types;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The MCP revisions this implementation speaks, newest first, and where a stateless request names its version. */
public final class ProtocolVersions {
    public static final String LATEST = "2025-11-25";
    /** The stateless revision (SEP-2575): no initialize, the version travels in each request's {@code _meta}. */
    public static final String STATELESS = "2026-07-28";

    public static final List<String> SESSION_VERSIONS = List.of(LATEST, "2025-06-18", "2025-03-26", "2024-11-05");
    public static final List<String> ALL = List.of(STATELESS, LATEST, "2025-06-18", "2025-03-26", "2024-11-05");
    public static final String META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";

    private ProtocolVersions() {}

    /** The server's answer to a client's requested version: the same if supported, else our latest. */
    public static String negotiate(String requested) {
        return requested != null && SESSION_VERSIONS.contains(requested) ? requested : LATEST;
    }

    /** The protocol version a stateless-style request carries in {@code params._meta}, or null. */
    public static String fromMeta(JsonNode params) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta == null || !meta.isObject()) {
            return null;
        }
        JsonNode v = meta.get(META_PROTOCOL_VERSION);
        if (v == null) {
            v = meta.get("protocolVersion");
        }
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}
