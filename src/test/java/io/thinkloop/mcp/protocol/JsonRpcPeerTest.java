package io.thinkloop.mcp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.McpMethods;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two peers over in-memory transports with a fake clock: requests, errors, timeouts, progress, cancellation
 * and close, with no socket and no waiting for a timeout to pass.
 */
class JsonRpcPeerTest {
    FakeClock clock;
    InMemoryTransport clientEnd;
    InMemoryTransport serverEnd;
    JsonRpcPeer client;
    JsonRpcPeer server;
    /** What the client's pending request ended with: a result or a failure. */
    final AtomicReference<Object> outcome = new AtomicReference<>();

    @BeforeEach
    void wire() {
        clock = new FakeClock();
        InMemoryTransport[] ends = InMemoryTransport.pair();
        clientEnd = ends[0];
        serverEnd = ends[1];
        client = new JsonRpcPeer(clientEnd, "client", clock);
        server = new JsonRpcPeer(serverEnd, "server", clock);
        client.start();
        server.start();
    }

    @AfterEach
    void close() {
        client.close();
    }

    static ObjectNode params(String key, int value) {
        return Json.MAPPER.createObjectNode().put(key, value);
    }

    Cancellable send(String method, RequestOptions options) {
        return client.request(method, params("x", 1), options).subscribe().with(outcome::set, outcome::set);
    }

    McpException failure() {
        Await.until("the request to end", () -> outcome.get() != null);
        return assertInstanceOf(McpException.class, outcome.get());
    }

    /** A handler that never answers by itself; the test sees it start and be cancelled. */
    record Hanging(CompletableFuture<RequestContext> started, AtomicBoolean cancelled)
            implements JsonRpcPeer.RequestHandler {
        Hanging() {
            this(new CompletableFuture<>(), new AtomicBoolean());
        }

        @Override
        public Uni<JsonNode> handle(RequestContext context) {
            started.complete(context);
            return Uni.createFrom().<JsonNode>emitter(e -> {}).onCancellation().invoke(() -> cancelled.set(true));
        }

        RequestContext awaitStarted() throws Exception {
            return started.get(30, TimeUnit.SECONDS);
        }
    }

    List<JsonNode> cancelNotificationsFromClient() {
        return clientEnd.sent.stream()
                .map(JsonRpcPeerTest::read)
                .filter(m -> m.path("method").asText().equals(McpMethods.CANCELLED))
                .toList();
    }

    static JsonNode read(String frame) {
        try {
            return Json.MAPPER.readTree(frame);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRequestGetsItsHandlersResult() {
        server.onRequest(
                "double",
                ctx -> Uni.createFrom().item(params("y", ctx.params().path("x").asInt() * 2)));
        JsonNode result = client.request("double", params("x", 21), RequestOptions.DEFAULT)
                .await()
                .atMost(Await.DEFAULT_TIMEOUT);
        assertEquals(42, result.path("y").asInt());
        assertEquals(0, clock.pending(), "the answered request's timer was cancelled");
    }

    @Test
    void anUnknownMethodAndAFailingHandlerAreErrorResponses() {
        server.onRequest("boom", ctx -> {
            throw new IllegalArgumentException("x must be even");
        });
        send("nope", RequestOptions.DEFAULT);
        assertEquals(JsonRpcError.METHOD_NOT_FOUND, failure().code());
        outcome.set(null);
        send("boom", RequestOptions.DEFAULT);
        McpException e = failure();
        assertEquals(JsonRpcError.INVALID_PARAMS, e.code());
        assertTrue(e.getMessage().contains("x must be even"), e.getMessage());
    }

    @Test
    void anUnansweredRequestTimesOutOnTheClockAndTellsThePeer() throws Exception {
        Hanging hanging = new Hanging();
        server.onRequest("hang", hanging);
        send("hang", RequestOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)));
        hanging.awaitStarted();
        clock.advance(Duration.ofMillis(4999));
        assertNull(outcome.get(), "not yet: 4.999 s of 5 s");
        clock.advance(Duration.ofMillis(1));
        McpException e = failure();
        assertEquals(JsonRpcError.REQUEST_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("no answer within PT5S"), e.getMessage());
        assertEquals(1, cancelNotificationsFromClient().size(), "the peer is told with notifications/cancelled");
        Await.until("the server's handler cancelled", () -> hanging.cancelled().get() && server.inboundInFlight() == 0);
    }

    @Test
    void progressRestartsTheTimeoutButNeverPastTheHardCap() throws Exception {
        Hanging hanging = new Hanging();
        server.onRequest("work", hanging);
        List<Double> seen = new CopyOnWriteArrayList<>();
        send(
                "work",
                new RequestOptions(Duration.ofSeconds(1), Duration.ofMillis(2500), true, (p, t, m) -> seen.add(p)));
        RequestContext ctx = hanging.awaitStarted();
        assertTrue(ctx.progressToken() != null, "asking for progress sends a progress token");
        for (int i = 1; i <= 2; i++) {
            clock.advance(Duration.ofMillis(900));
            ctx.progress(i, 10.0, "step " + i);
        }
        clock.advance(Duration.ofMillis(600));
        assertNull(outcome.get(), "2.4 s in, 600 ms after the last progress: progress restarted the 1 s timeout");
        assertEquals(List.of(1.0, 2.0), seen);
        ctx.progress(3, 10.0, "step 3");
        clock.advance(Duration.ofMillis(99));
        assertNull(outcome.get(), "2.499 s in");
        clock.advance(Duration.ofMillis(1));
        McpException e = failure();
        assertEquals(JsonRpcError.REQUEST_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("hard cap"), e.getMessage());
    }

    @Test
    void cancellingTheSubscriptionCancelsTheHandlerAndNoAnswerComes() throws Exception {
        Hanging hanging = new Hanging();
        server.onRequest("hang", hanging);
        Cancellable pending = send("hang", RequestOptions.DEFAULT);
        hanging.awaitStarted();
        pending.cancel();
        assertEquals(1, cancelNotificationsFromClient().size());
        Await.until("the server's handler cancelled", () -> hanging.cancelled().get() && server.inboundInFlight() == 0);
        assertEquals(0, clock.pending(), "no timer left behind");
        assertTrue(serverEnd.sent.isEmpty(), "a cancelled request gets no response: " + serverEnd.sent);
        assertNull(outcome.get());
    }

    @Test
    void closingTheConnectionFailsRequestsInFlightAtOnce() throws Exception {
        Hanging hanging = new Hanging();
        server.onRequest("hang", hanging);
        List<String> closedWith = new CopyOnWriteArrayList<>();
        client.onClose(closedWith::add);
        send("hang", RequestOptions.DEFAULT);
        hanging.awaitStarted();
        serverEnd.close();
        McpException e = failure();
        assertEquals(JsonRpcError.CONNECTION_CLOSED, e.code());
        assertEquals(List.of("closed by the peer"), closedWith);
        Await.until(
                "the server side cancels what it was serving",
                () -> hanging.cancelled().get());
        assertFalse(client.isOpen());
        outcome.set(null);
        send("hang", RequestOptions.DEFAULT);
        assertEquals(
                JsonRpcError.CONNECTION_CLOSED, failure().code(), "a request on a closed peer fails, it does not hang");
    }

    @Test
    void aGateRefusesARequestBeforeItsHandlerRuns() {
        AtomicBoolean ran = new AtomicBoolean();
        server.onRequest("tools/list", ctx -> {
            ran.set(true);
            return Uni.createFrom().item(Json.MAPPER.createObjectNode());
        });
        server.gate(ctx -> JsonRpcError.of(JsonRpcError.INVALID_REQUEST, "not initialized"));
        send("tools/list", RequestOptions.DEFAULT);
        McpException e = failure();
        assertEquals(JsonRpcError.INVALID_REQUEST, e.code());
        assertFalse(ran.get());
    }
}
