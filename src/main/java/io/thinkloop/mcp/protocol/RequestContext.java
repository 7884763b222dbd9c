package io.thinkloop.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
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
        peer.notifyRelated(McpMethods.PROGRESS, p, id);
    }

    /** A notification that belongs to this request (a log line while it runs): sent on its stream where the transport has one. */
    public void notify(String method, JsonNode params) {
        peer.notifyRelated(method, params, id);
    }

    /** A request to the peer made while serving this one (sampling, elicitation), on this request's stream. */
    public Uni<JsonNode> request(String method, ObjectNode params, RequestOptions options) {
        return peer.request(method, params, options, id);
    }

    /** Ends this request's stream so that the client polls for the rest (SSE polling); false where the transport cannot. */
    public boolean closeStream(long retryMillis) {
        return peer.transport().closeRequestStream(id, retryMillis);
    }
}
