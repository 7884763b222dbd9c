package io.thinkloop.mcp.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;

/**
 * One JSON-RPC 2.0 message. Ids stay {@link JsonNode}s so that their type (number or string) and their
 * exact value (numbers beyond 2^53, beyond 2^63) travel back unchanged.
 */
public sealed interface JsonRpcMessage {
    String VERSION = "2.0";

    /** The JSON object of this message, members in the conventional order. */
    ObjectNode toJson();

    default String encode() {
        return toJson().toString();
    }

    record Request(JsonNode id, String method, JsonNode params) implements JsonRpcMessage {
        @Override
        public ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode().put("jsonrpc", VERSION);
            o.set("id", id);
            o.put("method", method);
            if (params != null) {
                o.set("params", params);
            }
            return o;
        }
    }

    record Notification(String method, JsonNode params) implements JsonRpcMessage {
        @Override
        public ObjectNode toJson() {
            ObjectNode o =
                    Json.MAPPER.createObjectNode().put("jsonrpc", VERSION).put("method", method);
            if (params != null) {
                o.set("params", params);
            }
            return o;
        }
    }

    /** A response: exactly one of {@code result} and {@code error} is set; {@code id} is JSON null only for errors about unreadable requests. */
    record Response(JsonNode id, JsonNode result, JsonRpcError error) implements JsonRpcMessage {
        public static Response ok(JsonNode id, JsonNode result) {
            return new Response(id, result == null ? Json.MAPPER.createObjectNode() : result, null);
        }

        public static Response error(JsonNode id, JsonRpcError error) {
            return new Response(id, null, error);
        }

        public static Response error(JsonNode id, int code, String message) {
            return new Response(id, null, JsonRpcError.of(code, message));
        }

        public boolean isError() {
            return error != null;
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode().put("jsonrpc", VERSION);
            o.set("id", id == null ? Json.MAPPER.nullNode() : id);
            if (error != null) {
                ObjectNode e = o.putObject("error").put("code", error.code()).put("message", error.message());
                if (error.data() != null) {
                    e.set("data", error.data());
                }
            } else {
                o.set("result", result);
            }
            return o;
        }
    }
}
