package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (java.net.http) that collects the server's events for assertions. */
final class WsClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    final List<JsonNode> seen = new ArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket ws;
    /** While true, the client stops reading (no more demand): a stalled client. */
    volatile boolean stalled;

    private volatile WebSocket pendingDemand;

    /** Reads again after {@link #stalled}. */
    void unstall() {
        stalled = false;
        WebSocket w = pendingDemand;
        if (w != null) {
            pendingDemand = null;
            w.request(1);
        }
    }

    static WsClient connect(URI base, String sessionId, String query) {
        return connect(base, sessionId, query, Map.of("Authorization", "Bearer " + RuntimeTestProfile.KEY));
    }

    static WsClient connect(URI base, String sessionId, String query, Map<String, String> headers) {
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/v1/sessions/" + sessionId + "/ws"
                + (query == null ? "" : "?" + query));
        WsClient c = new WsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        c.ws = b.buildAsync(uri, new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            try {
                                c.events.add(Json.MAPPER.readTree(buf.toString()));
                            } catch (Exception e) {
                                c.events.add(Json.MAPPER
                                        .createObjectNode()
                                        .put("type", "CLIENT_PARSE_FAILURE")
                                        .put("text", buf.toString()));
                            }
                            buf.setLength(0);
                        }
                        if (c.stalled) {
                            c.pendingDemand = w;
                        } else {
                            w.request(1);
                        }
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        c.closed.complete(status);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket w, Throwable error) {
                        c.closed.complete(-1);
                    }
                })
                .join();
        return c;
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    void send(Map<String, Object> message) {
        try {
            send(Json.MAPPER.writeValueAsString(message));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next event (any type). */
    JsonNode next(Duration timeout) {
        try {
            JsonNode e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                fail("no event within " + timeout + "; seen so far: " + types(seen));
            }
            seen.add(e);
            return e;
        } catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Events up to and including the first of {@code type}. */
    List<JsonNode> until(String type) {
        return until(type, Duration.ofSeconds(10));
    }

    List<JsonNode> until(String type, Duration timeout) {
        List<JsonNode> out = new ArrayList<>();
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode e = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            out.add(e);
            if (type.equals(e.path("type").asText())) {
                return out;
            }
        }
    }

    /** Events up to the end of the turn: turn.completed or cancelled. */
    List<JsonNode> untilTurnEnd() {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode e = next(Duration.ofSeconds(10));
            out.add(e);
            String t = e.path("type").asText();
            if (t.equals("turn.completed") || t.equals("cancelled")) {
                return out;
            }
        }
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
        }
    }
}
