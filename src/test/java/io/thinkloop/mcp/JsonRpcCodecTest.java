package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.thinkloop.json.Json;
import io.thinkloop.mcp.types.Decoded;
import io.thinkloop.mcp.types.JsonRpcCodec;
import io.thinkloop.mcp.types.JsonRpcMessage;
import io.thinkloop.mcp.types.ProtocolVersions;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {
    static JsonRpcMessage valid(String frame) {
        return assertInstanceOf(Decoded.Valid.class, JsonRpcCodec.decode(frame)).message();
    }

    @Test
    void idsKeepTheirTypeAndEveryDigit() {
        String big = "123456789012345678901234567890";
        JsonRpcMessage.Request r =
                (JsonRpcMessage.Request) valid("{\"jsonrpc\":\"2.0\",\"id\":" + big + ",\"method\":\"ping\"}");
        assertEquals(
                "{\"jsonrpc\":\"2.0\",\"id\":" + big + ",\"result\":{}}",
                JsonRpcMessage.Response.ok(r.id(), null).encode());
        JsonRpcMessage.Request s =
                (JsonRpcMessage.Request) valid("{\"jsonrpc\":\"2.0\",\"id\":\"" + big + "\",\"method\":\"ping\"}");
        assertEquals("\"" + big + "\"", s.id().toString());
        JsonRpcMessage.Request max =
                (JsonRpcMessage.Request) valid("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}");
        assertEquals("9007199254740993", max.id().toString());
    }

    @Test
    void errorsFollowJsonRpc() {
        assertEquals(-32700, invalid("{").error().code());
        assertEquals("null", invalid("{").id().toString());
        assertEquals(-32600, invalid("[]").error().code());
        assertEquals(
                -32600,
                invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}")
                        .error()
                        .code());
        assertEquals(
                "7",
                invalid("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"x\"}").id().toString());
        assertEquals(
                -32700,
                invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"} trailing")
                        .error()
                        .code());
        assertNull(
                assertInstanceOf(
                                Decoded.Invalid.class,
                                JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":5}"))
                        .reply(),
                "a malformed response is dropped, never answered");
        assertInstanceOf(
                JsonRpcMessage.Notification.class,
                valid("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
    }

    @Test
    void statelessVersionIsReadFromMeta() throws Exception {
        var params = Json.MAPPER.readTree("{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}");
        assertEquals("2026-07-28", ProtocolVersions.fromMeta(params));
        assertEquals("2025-06-18", ProtocolVersions.negotiate("2025-06-18"));
        assertEquals(ProtocolVersions.LATEST, ProtocolVersions.negotiate("1999-01-01"));
    }

    static JsonRpcMessage.Response invalid(String frame) {
        return assertInstanceOf(Decoded.Invalid.class, JsonRpcCodec.decode(frame))
                .reply();
    }
}
