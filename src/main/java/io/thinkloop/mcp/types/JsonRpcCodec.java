package io.thinkloop.mcp.types;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import io.thinkloop.json.Json;

/**
 * Reads one frame into a {@link JsonRpcMessage}, applying JSON-RPC 2.0's rules: unreadable JSON is
 * {@code -32700} with id null; anything that is not a single well-formed message object is
 * {@code -32600} (arrays too: batching was removed from MCP in 2025-06-18); ids must be strings or
 * integers and are kept exactly as sent. Nesting and sizes are bounded by Jackson's read constraints.
 */
public final class JsonRpcCodec {
    private static final ObjectReader READER = Json.MAPPER
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private JsonRpcCodec() {}

    public static Decoded decode(String frame) {
        JsonNode root;
        try {
            root = READER.readTree(frame);
        } catch (JacksonException | RuntimeException e) {
            return invalid(
                    NullNode.getInstance(), JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e.getMessage()));
        }
        return decode(root);
    }

    public static Decoded decode(JsonNode root) {
        if (root == null || root.isMissingNode()) {
            return invalid(NullNode.getInstance(), JsonRpcError.PARSE_ERROR, "Parse error: empty message");
        }
        if (root.isArray()) {
            return invalid(
                    NullNode.getInstance(),
                    JsonRpcError.INVALID_REQUEST,
                    "Invalid Request: batch arrays are not supported (removed in MCP 2025-06-18)");
        }
        if (!root.isObject()) {
            return invalid(
                    NullNode.getInstance(),
                    JsonRpcError.INVALID_REQUEST,
                    "Invalid Request: a message must be a JSON object");
        }
        JsonNode id = root.get("id");
        boolean hasId = id != null;
        boolean idValid = hasId && (id.isTextual() || id.isIntegralNumber());
        JsonNode replyId = idValid ? id : NullNode.getInstance();
        JsonNode method = root.get("method");
        boolean isResponse = method == null && (root.has("result") || root.has("error"));

        if (!"2.0".equals(textOrNull(root.get("jsonrpc")))) {
            return isResponse
                    ? new Decoded.Invalid(null, "response without jsonrpc 2.0")
                    : invalid(replyId, JsonRpcError.INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"");
        }
        if (hasId && !idValid) {
            return isResponse
                    ? new Decoded.Invalid(null, "response with an invalid id")
                    : invalid(
                            NullNode.getInstance(),
                            JsonRpcError.INVALID_REQUEST,
                            "Invalid Request: id must be a string or an integer");
        }
        if (isResponse) {
            return decodeResponse(root, id);
        }
        if (method == null || !method.isTextual()) {
            return invalid(replyId, JsonRpcError.INVALID_REQUEST, "Invalid Request: method must be a string");
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isObject() && !params.isArray()) {
            return invalid(replyId, JsonRpcError.INVALID_REQUEST, "Invalid Request: params must be an object");
        }
        return new Decoded.Valid(
                hasId
                        ? new JsonRpcMessage.Request(id, method.textValue(), params)
                        : new JsonRpcMessage.Notification(method.textValue(), params));
    }

    private static Decoded decodeResponse(JsonNode root, JsonNode id) {
        if (id == null) {
            return new Decoded.Invalid(null, "response without id");
        }
        JsonNode error = root.get("error");
        if (error != null) {
            if (!error.isObject() || !error.path("code").isIntegralNumber()) {
                return new Decoded.Invalid(null, "response with a malformed error");
            }
            return new Decoded.Valid(JsonRpcMessage.Response.error(
                    id,
                    new JsonRpcError(
                            error.get("code").intValue(), error.path("message").asText(""), error.get("data"))));
        }
        return new Decoded.Valid(new JsonRpcMessage.Response(id, root.get("result"), null));
    }

    private static Decoded invalid(JsonNode id, int code, String message) {
        return new Decoded.Invalid(JsonRpcMessage.Response.error(id, code, message), message);
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable JSON";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
