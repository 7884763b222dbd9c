package io.thinkloop.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.types.McpMethods;

/** What a request handler knows about the request it serves, and how it reports progress. */
public record RequestContext(JsonRpcPeer peer, JsonNode id, String method, JsonNode params) {
    /** {@code params._meta.progressToken}, or null when the caller asked for no progress. */
    public JsonNode progressToken() {
        JsonNode t = params == null ? null : params.path("_meta").get("progressToken");
        return t != null && (t.isTextual() || t.isIntegralNumber()) ? t : null;
    }

    /** Sends {@code notifications/progress} if the caller asked for it; otherwise does nothing. */
    public void progress(double progress, Double total, String message) {
        JsonNode token = progressToken();
        if (token == null) {
            return;
        }
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.set("progressToken", token);
        p.put("progress", progress);
        if (total != null) {
            p.put("total", total);
        }
        if (message != null) {
            p.put("message", message);
        }
        peer.notify(McpMethods.PROGRESS, p);
    }
}
