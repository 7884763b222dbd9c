package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.WebSocketAccessPolicy;
import io.thinkloop.mcp.transport.WebSocketTransport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sends more than 10,000 malformed or hostile frames to the MCP WebSocket server and checks each answer
 * (error code and id), each silence (notifications, stray responses) and each close code (binary 1003,
 * oversize 1009); then a normal session still works.
 */
class McpFuzzTest {
    static final int SMALL_LIMIT = 64 * 1024;
    static McpWebSocketServer server;
    static McpWebSocketServer smallServer;
    final Random random = new Random(20261128L);
    int checked;

    @BeforeAll
    static void start() throws Exception {
        server = McpTestSupport.startServer();
        smallServer = McpTestSupport.startServer(
                new McpWebSocketServer.Options(
                        "127.0.0.1", 0, SMALL_LIMIT, Duration.ofSeconds(30), WebSocketAccessPolicy.OPEN),
                Map.of());
    }

    @AfterAll
    static void stop() {
        server.stop();
        smallServer.stop();
    }

    /** A raw WebSocket to the server: frames out, messages and the close code in. */
    static final class Raw {
        final WebSocket ws;
        final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<Short> closed = new CompletableFuture<>();

        Raw(String url) throws Exception {
            ws = McpTestSupport.VERTX
                    .createWebSocketClient(new WebSocketClientOptions()
                            .setMaxMessageSize(64 * 1024 * 1024)
                            .setMaxFrameSize(1024 * 1024))
                    .connect(new WebSocketConnectOptions().setAbsoluteURI(url).addSubProtocol("mcp"))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertEquals("mcp", ws.subProtocol(), "the server echoes subprotocol mcp");
            ws.textMessageHandler(inbox::add);
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
        }

        JsonNode roundTrip(String frame) throws Exception {
            ws.writeTextMessage(frame).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return next();
        }

        JsonNode next() throws Exception {
            String reply = inbox.poll(10, TimeUnit.SECONDS);
            assertNotNull(reply, "an answer");
            return Json.MAPPER.readTree(reply);
        }

        void send(String frame) throws Exception {
            ws.writeTextMessage(frame).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    void expectError(Raw raw, String frame, int code, String idJson) throws Exception {
        JsonNode r = raw.roundTrip(frame);
        String what = abbreviate(frame) + " -> " + abbreviate(r.toString());
        assertEquals("2.0", r.path("jsonrpc").asText(), what);
        assertEquals(code, r.path("error").path("code").asInt(), what);
        assertTrue(r.path("error").path("message").isTextual(), what);
        assertEquals(idJson, r.get("id").toString(), "id echoed exactly: " + what);
        checked++;
    }

    void expectPong(Raw raw, String idJson, String params) throws Exception {
        String frame = "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"ping\""
                + (params == null ? "" : ",\"params\":" + params) + "}";
        JsonNode r = raw.roundTrip(frame);
        assertTrue(
                r.has("result") && r.get("result").isObject(), abbreviate(frame) + " -> " + abbreviate(r.toString()));
        assertEquals(idJson, r.get("id").toString(), "id type and value preserved");
        checked++;
    }

    /** Sends a frame that must get no answer, proven by the next ping's answer coming first. */
    void expectSilence(Raw raw, String frame) throws Exception {
        raw.send(frame);
        String marker = "\"after-" + checked + "\"";
        expectPong(raw, marker, null);
    }

    String randomId() {
        return switch (random.nextInt(8)) {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> new BigInteger(64 + random.nextInt(200), random).toString();
            case 2 -> "-" + new BigInteger(70, random);
            case 3 -> "0";
            case 4 -> Json.MAPPER.valueToTree("id-" + random.nextInt()).toString();
            case 5 -> "\"\"";
            case 6 ->
                Json.MAPPER
                        .valueToTree("ünï\u0000\u2028\uD83D\uDE00\"\\" + random.nextInt())
                        .toString();
            default ->
                Json.MAPPER.valueToTree("x".repeat(1 + random.nextInt(20_000))).toString();
        };
    }

    String garbage() {
        StringBuilder sb = new StringBuilder("{");
        int n = 1 + random.nextInt(60);
        for (int i = 0; i < n; i++) {
            sb.append((char) (33 + random.nextInt(90)));
        }
        return sb.toString();
    }

    @Test
    void tenThousandHostileFramesGetTheRightAnswers() throws Exception {
        Raw raw = new Raw(server.url());
        String nullId = "null";
        int rounds = 10_400;
        for (int i = 0; i < rounds; i++) {
            String id = randomId();
            switch (i % 16) {
                case 0 -> expectError(raw, garbage(), -32700, nullId);
                case 1 -> {
                    String valid = "{\"jsonrpc\":\"2.0\",\"id\":" + id
                            + ",\"method\":\"ping\",\"params\":{\"a\":[1,2,{\"b\":\"c\"}]}}";
                    expectError(raw, valid.substring(0, random.nextInt(valid.length() - 1)), -32700, nullId);
                }
                case 2 ->
                    expectError(
                            raw,
                            switch (random.nextInt(5)) {
                                case 0 -> "42";
                                case 1 -> "\"ping\"";
                                case 2 -> "true";
                                case 3 -> "null";
                                default -> "-1.5e300";
                            },
                            -32600,
                            nullId);
                case 3 ->
                    expectError(
                            raw,
                            random.nextBoolean()
                                    ? "[]"
                                    : "[{\"jsonrpc\":\"2.0\",\"id\":" + id
                                            + ",\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]",
                            -32600,
                            nullId);
                case 4 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"" + (random.nextBoolean() ? "1.0" : "3") + "\",\"id\":" + id
                                    + ",\"method\":\"ping\"}",
                            -32600,
                            id);
                case 5 -> expectError(raw, "{\"id\":" + id + ",\"method\":\"ping\"}", -32600, id);
                case 6 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":"
                                    + switch (random.nextInt(5)) {
                                        case 0 -> "{}";
                                        case 1 -> "[1]";
                                        case 2 -> "true";
                                        case 3 -> "1.5";
                                        default -> "null";
                                    }
                                    + ",\"method\":\"ping\"}",
                            -32600,
                            nullId);
                case 7 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":" + (random.nextBoolean() ? "42" : "{}")
                                    + "}",
                            -32600,
                            id);
                case 8 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":"
                                    + (random.nextBoolean() ? "\"x\"" : "7") + "}",
                            -32600,
                            id);
                case 9 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":[1,2]}",
                            -32602,
                            id);
                case 10 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"no/such-" + random.nextInt(1000)
                                    + "\"}",
                            -32601,
                            id);
                case 11 ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"notifications/"
                                    + (random.nextBoolean() ? "initialized" : "cancelled") + "\"}",
                            -32601,
                            id);
                case 12 -> expectPong(raw, id, random.nextBoolean() ? null : "{\"_meta\":{\"x\":" + id + "}}");
                case 13 -> {
                    int depth = random.nextBoolean() ? 2000 + random.nextInt(100_000) : 10 + random.nextInt(400);
                    String params = "[".repeat(depth) + "]".repeat(depth);
                    String frame = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{\"deep\":"
                            + params + "}}";
                    if (depth >= 2000) {
                        expectError(raw, frame, -32700, nullId);
                    } else {
                        expectPong(raw, id, "{\"deep\":" + params + "}");
                    }
                }
                case 14 ->
                    expectSilence(
                            raw,
                            switch (random.nextInt(4)) {
                                case 0 ->
                                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown-" + random.nextInt()
                                            + "\"}";
                                case 1 ->
                                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
                                            + id + "}}";
                                case 2 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}";
                                default -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":\"not an object\"}";
                            });
                default ->
                    expectError(
                            raw,
                            "{\"jsonrpc\":\"2.0\",\"id\":" + id
                                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}",
                            -32600,
                            id);
            }
        }
        assertTrue(checked >= 10_000, "checked " + checked);
        // The same connection still serves a normal session.
        JsonNode init = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}");
        assertEquals("2025-06-18", init.path("result").path("protocolVersion").asText());
        raw.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        JsonNode call = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"still alive\"}}}");
        assertEquals(
                "Echo: still alive",
                call.path("result").path("content").path(0).path("text").asText());
        System.out.println("fuzz: " + checked + " frames answered correctly");
    }

    @Test
    void binaryFramesCloseWith1003AndOversizeWith1009() throws Exception {
        for (int i = 0; i < 20; i++) {
            Raw raw = new Raw(server.url());
            byte[] bytes = new byte[1 + random.nextInt(1000)];
            random.nextBytes(bytes);
            raw.ws.writeBinaryMessage(Buffer.buffer(bytes));
            assertEquals(WebSocketTransport.CLOSE_UNSUPPORTED_DATA, raw.closed.get(10, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 10; i++) {
            Raw raw = new Raw(smallServer.url());
            String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\""
                    + "x".repeat(SMALL_LIMIT + random.nextInt(SMALL_LIMIT)) + "\"}}";
            raw.send(big);
            assertEquals(WebSocketTransport.CLOSE_TOO_BIG, raw.closed.get(10, TimeUnit.SECONDS));
        }
        // Just under the limit is fine.
        Raw ok = new Raw(smallServer.url());
        expectPong(ok, "7", "{\"pad\":\"" + "y".repeat(SMALL_LIMIT - 100) + "\"}");
        // The default limit takes 15 MiB messages.
        Raw large = new Raw(server.url());
        expectPong(large, "8", "{\"pad\":\"" + "z".repeat(15 * 1024 * 1024) + "\"}");
        assertTrue(server.server().sessionCount() >= 1);
    }

    @Test
    void statelessRequestsAreServedOrRefusedNeverLeftHanging() throws Exception {
        Raw raw = new Raw(server.url());
        JsonNode discover = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
        assertTrue(
                discover.path("result").path("supportedVersions").toString().contains("2026-07-28"),
                discover.toString());
        assertEquals(
                "thinkloop-test",
                discover.path("result").path("serverInfo").path("name").asText());
        JsonNode list = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
        assertTrue(list.path("result").path("tools").size() > 0, list.toString());
        JsonNode call = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"s\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
        assertEquals(
                "Echo: s",
                call.path("result").path("content").path(0).path("text").asText());
        JsonNode refused = raw.roundTrip(
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\"}}}");
        assertEquals(-32022, refused.path("error").path("code").asInt());
        assertTrue(
                refused.path("error").path("data").path("supported").toString().contains("2025-11-25"));
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }
}
