package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-connection limits of an MCP server ({@link McpServer.Limits}), each over a real loopback WebSocket:
 * requests in flight, request rate, a tool call's time budget (the tool is cancelled), the size of its result,
 * bounded argument validation (no amplification), and a client that never reads (closed with 4008, its replies
 * not kept).
 */
class McpConnectionLimitsTest {
    private McpWebSocketServer server;
    private final List<McpClient> clients = new ArrayList<>();

    /** Blocks until released or cancelled; counts calls started and cancelled. */
    static final class SlowTool implements Tool {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        final List<CompletableFuture<Void>> gates = new ArrayList<>();

        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "slow",
                    "waits until released",
                    Json.MAPPER.createObjectNode().put("type", "object"));
        }

        @Override
        public synchronized Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            started.incrementAndGet();
            return Uni.createFrom()
                    .completionStage(gate)
                    .map(v -> ToolResult.ok("released"))
                    .onCancellation()
                    .invoke(cancelled::incrementAndGet);
        }

        synchronized void releaseAll() {
            gates.forEach(g -> g.complete(null));
        }
    }

    /** Answers {@code size} characters. */
    static final class BigTool implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "big", "a large answer", Json.MAPPER.createObjectNode().put("type", "object"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom()
                    .item(ToolResult.ok("x".repeat(arguments.path("size").asInt(10))));
        }
    }

    /** Wants an array of integers. */
    static final class ItemsTool implements Tool {
        @Override
        public ToolSpec spec() {
            ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
            schema.putObject("properties")
                    .putObject("items")
                    .put("type", "array")
                    .putObject("items")
                    .put("type", "integer");
            schema.putArray("required").add("items");
            return new ToolSpec("items", "sums integers", schema);
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom().item(ToolResult.ok("ok"));
        }
    }

    final SlowTool slow = new SlowTool();

    private McpServer start(McpServer.Limits limits) throws Exception {
        McpServer mcp = new McpServer(
                new Implementation("limits-test", "1"),
                null,
                new ToolCatalog(List.of(slow, new BigTool(), new ItemsTool())),
                100,
                limits);
        server = new McpWebSocketServer(McpTestSupport.VERTX, mcp, McpWebSocketServer.Options.loopback(0))
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return mcp;
    }

    private McpClient client() {
        McpClient c = McpTestSupport.client(server.url(), McpClient.Options.defaults());
        clients.add(c);
        c.connect().await().atMost(Duration.ofSeconds(10));
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        slow.releaseAll();
        clients.forEach(McpClient::close);
        if (server != null) {
            server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static McpServer.Limits limits(int inFlight, double rate, Duration budget, long maxResult, long maxQueued) {
        return new McpServer.Limits(inFlight, rate, budget, Map.of(), maxResult, maxQueued, 5);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static JsonRpcError errorOf(Uni<?> call) {
        try {
            call.await().atMost(Duration.ofSeconds(20));
        } catch (McpException e) {
            return e.error();
        }
        fail("expected a JSON-RPC error");
        return null;
    }

    @Test
    void callsBeyondTheInFlightLimitGetAClearErrorAndTheConnectionStaysUsable() throws Exception {
        start(limits(2, 0, null, 0, 0));
        McpClient c = client();
        Uni<CallToolResult> first =
                c.callTool("slow", Json.MAPPER.createObjectNode()).memoize().indefinitely();
        Uni<CallToolResult> second =
                c.callTool("slow", Json.MAPPER.createObjectNode()).memoize().indefinitely();
        first.subscribe().with(r -> {}, e -> {});
        second.subscribe().with(r -> {}, e -> {});
        await("two calls in flight", () -> slow.started.get() == 2);
        JsonRpcError refused = errorOf(c.callTool("slow", Json.MAPPER.createObjectNode()));
        assertEquals(JsonRpcError.LIMIT_EXCEEDED, refused.code());
        assertEquals("in_flight", refused.data().path("limit").asText());
        assertTrue(refused.message().contains("at most 2"), refused.message());
        assertEquals(2, slow.started.get(), "the refused call never reached the tool");
        slow.releaseAll();
        assertEquals("released", first.await().atMost(Duration.ofSeconds(10)).text());
        assertEquals("released", second.await().atMost(Duration.ofSeconds(10)).text());
        c.ping().await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void requestsBeyondTheRateGetAClearErrorAndTheConnectionStaysUsable() throws Exception {
        start(limits(0, 5, null, 0, 0));
        McpClient c = client();
        List<CompletableFuture<Void>> pings = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pings.add(c.ping().subscribeAsCompletionStage());
        }
        int refused = 0;
        for (CompletableFuture<Void> p : pings) {
            try {
                p.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                McpException m = (McpException) e.getCause();
                assertEquals(JsonRpcError.LIMIT_EXCEEDED, m.code(), m.getMessage());
                assertEquals("rate", m.error().data().path("limit").asText());
                refused++;
            }
        }
        assertTrue(refused > 0, "60 pings at once against 5/s (burst 10): some must be refused");
        assertTrue(refused < 60, "the burst is served");
        // the bucket refills: the connection is still usable
        await("a ping to pass again", () -> {
            try {
                c.ping().await().atMost(Duration.ofSeconds(5));
                return true;
            } catch (McpException e) {
                return false;
            }
        });
    }

    @Test
    void aCallPastItsTimeBudgetIsCancelledAndAnsweredWithAnError() throws Exception {
        start(limits(0, 0, Duration.ofMillis(300), 0, 0));
        McpClient c = client();
        CallToolResult r =
                c.callTool("slow", Json.MAPPER.createObjectNode()).await().atMost(Duration.ofSeconds(20));
        assertTrue(r.failed(), r.toString());
        assertTrue(r.text().contains("time budget of 300 ms"), r.text());
        await("the tool to see the cancellation", () -> slow.cancelled.get() == 1);
    }

    @Test
    void aResultOverTheSizeCapBecomesAnErrorResult() throws Exception {
        start(limits(0, 0, null, 10_000, 0));
        McpClient c = client();
        assertEquals(
                5_000,
                c.callTool("big", Json.MAPPER.createObjectNode().put("size", 5_000))
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .text()
                        .length());
        CallToolResult r = c.callTool("big", Json.MAPPER.createObjectNode().put("size", 200_000))
                .await()
                .atMost(Duration.ofSeconds(10));
        assertTrue(r.failed());
        assertTrue(r.text().contains("larger than the limit of 10000 bytes"), r.text());
    }

    @Test
    void argumentErrorsAreCappedSoABigBadRequestGetsASmallReply() throws Exception {
        start(limits(0, 0, null, 0, 0));
        McpClient c = client();
        ObjectNode few = Json.MAPPER.createObjectNode();
        few.putArray("items").add("a").add("b").add(3);
        CallToolResult two = c.callTool("items", few).await().atMost(Duration.ofSeconds(10));
        assertTrue(two.failed());
        assertTrue(two.text().contains("items[0]") && two.text().contains("items[1]"), two.text());

        ObjectNode many = Json.MAPPER.createObjectNode();
        ArrayNode manyItems = many.putArray("items");
        for (int i = 0; i < 20; i++) {
            manyItems.add("s" + i);
        }
        CallToolResult capped = c.callTool("items", many).await().atMost(Duration.ofSeconds(10));
        assertTrue(capped.text().endsWith("and 15 more"), capped.text());

        ObjectNode huge = Json.MAPPER.createObjectNode();
        ArrayNode hugeItems = huge.putArray("items");
        for (int i = 0; i < 600_000; i++) {
            hugeItems.add("x");
        }
        int requestChars = huge.toString().length();
        CallToolResult one = c.callTool("items", huge).await().atMost(Duration.ofSeconds(30));
        assertTrue(one.failed());
        assertTrue(one.text().contains("validation stops at the first error"), one.text());
        System.out.printf(
                "argument validation: a %d-character request got a %d-character reply%n",
                requestChars, one.text().length());
        assertTrue(one.text().length() < 1_000, one.text().length() + " characters");
    }

    @Test
    void aClientThatNeverReadsIsClosedWith4008() throws Exception {
        McpServer mcp = start(limits(0, 0, null, 0, 256 * 1024));
        URI uri = URI.create(server.url());
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            await("the session", () -> mcp.sessionCount() == 1);
            writeText(
                    out,
                    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"never-reads\",\"version\":\"1\"}}}");
            // 400 calls of 200 KB answers: 80 MB the server would otherwise keep for us; we read none of it
            for (int i = 1; i <= 400 && mcp.sessionCount() == 1; i++) {
                writeText(
                        out,
                        "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"big\","
                                + "\"arguments\":{\"size\":200000}}}");
            }
            await("the server to drop the session", () -> mcp.sessionCount() == 0);
            // now read: what was already on its way, then the close frame
            int code = readUntilClose(new DataInputStream(in));
            assertEquals(4008, code);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed during the handshake: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** One masked text frame, as a client must send it. */
    private static void writeText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        }
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i % 4];
        }
        out.write(payload);
        out.flush();
    }

    /** Skips server frames up to the close frame; its status code, or -1 when the connection ended without one. */
    private static int readUntilClose(DataInputStream in) throws IOException {
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return -1;
            }
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            if ((b0 & 0x0f) == 0x8) {
                return len >= 2 ? in.readUnsignedShort() : 1005;
            }
            in.skipNBytes(len);
        }
    }

    @Test
    void withoutLimitsNothingIsRefused() throws Exception {
        start(McpServer.Limits.NONE);
        McpClient c = client();
        for (int i = 0; i < 50; i++) {
            c.ping().await().atMost(Duration.ofSeconds(10));
        }
        assertFalse(c.callTool("big", Json.MAPPER.createObjectNode().put("size", 300_000))
                .await()
                .atMost(Duration.ofSeconds(10))
                .failed());
    }
}
