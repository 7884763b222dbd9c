package io.thinkloop.mcp.transport;

import io.thinkloop.mcp.protocol.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MCP over one Vert.x WebSocket (either end): each text frame is one JSON-RPC message. Binary frames
 * are refused with close code 1003; messages over the size limit end the connection with 1009 (Vert.x
 * enforces it). A WebSocket ping every {@code keepAlive} keeps idle connections open through proxies,
 * and a peer that answers no ping for two rounds is closed as dead (1011). With a {@code maxQueuedBytes}
 * bound, a peer that stops reading while messages for it pile up is closed with 4008 (as a slow session
 * socket is) instead of holding them all in memory.
 */
public final class WebSocketTransport implements Transport {
    public static final String SUBPROTOCOL = "mcp";
    public static final short CLOSE_UNSUPPORTED_DATA = 1003;
    public static final short CLOSE_TOO_BIG = 1009;
    /** The peer did not read its messages fast enough: more than {@code maxQueuedBytes} were waiting. */
    public static final short CLOSE_SLOW_CONSUMER = 4008;

    private final Vertx vertx;
    private final WebSocketBase ws;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<String> early = new ArrayList<>();
    private volatile Listener listener;
    private volatile String closeReason;
    private long pingTimer = -1;
    private volatile long lastPong = System.nanoTime();
    private final long maxQueuedBytes;
    private final AtomicLong queued = new AtomicLong();

    public WebSocketTransport(Vertx vertx, WebSocketBase ws, String description, Duration keepAlive) {
        this(vertx, ws, description, keepAlive, 0);
    }

    /** As above, closing the connection (4008) when more than {@code maxQueuedBytes} (0: no bound) wait to be written. */
    public WebSocketTransport(
            Vertx vertx, WebSocketBase ws, String description, Duration keepAlive, long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.vertx = vertx;
        this.ws = ws;
        this.description = description;
        ws.textMessageHandler(this::deliver);
        ws.binaryMessageHandler(b -> {
            closeReason = "binary frame refused";
            ws.close(CLOSE_UNSUPPORTED_DATA, "MCP messages are JSON text frames");
        });
        ws.pongHandler(b -> lastPong = System.nanoTime());
        ws.exceptionHandler(t -> {
            String msg = String.valueOf(t.getMessage());
            if (closeReason == null) {
                closeReason = t.getClass().getSimpleName() + ": " + msg;
            }
            if (!ws.isClosed()) {
                boolean tooBig = msg.contains("too big")
                        || msg.contains("exceed")
                        || t.getClass().getSimpleName().contains("TooLong");
                ws.close(tooBig ? CLOSE_TOO_BIG : (short) 1011, tooBig ? "message too big" : "transport error");
            }
        });
        ws.closeHandler(v -> finish(
                closeReason != null
                        ? closeReason
                        : "closed by peer" + (ws.closeStatusCode() == null ? "" : " (" + ws.closeStatusCode() + ")")));
        if (keepAlive != null && !keepAlive.isZero()) {
            long interval = Math.max(10, keepAlive.toMillis());
            pingTimer = vertx.setPeriodic(interval, id -> {
                if (System.nanoTime() - lastPong > 3 * interval * 1_000_000L) {
                    closeReason = "no pong for " + 3 * interval + " ms";
                    ws.close((short) 1011, "keep-alive timeout");
                } else if (!ws.isClosed()) {
                    ws.writePing(Buffer.buffer("ka"));
                }
            });
        }
    }

    private void deliver(String text) {
        Listener l = listener;
        if (l == null) {
            synchronized (early) {
                if (listener == null) {
                    early.add(text);
                    return;
                }
            }
            l = listener;
        }
        l.onMessage(text);
    }

    @Override
    public void start(Listener l) {
        List<String> pending;
        synchronized (early) {
            pending = List.copyOf(early);
            early.clear();
            listener = l;
        }
        pending.forEach(l::onMessage);
        if (closed.get()) {
            l.onClose(closeReason == null ? "closed" : closeReason);
        }
    }

    @Override
    public CompletionStage<Void> send(String frame) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("WebSocket closed"));
        }
        if (maxQueuedBytes <= 0) {
            return ws.writeTextMessage(frame).toCompletionStage();
        }
        long size = frame.length();
        if (queued.addAndGet(size) > maxQueuedBytes) {
            queued.addAndGet(-size);
            slowConsumer();
            return CompletableFuture.failedFuture(
                    new IllegalStateException("WebSocket closed: the peer does not read"));
        }
        return ws.writeTextMessage(frame).andThen(ar -> queued.addAndGet(-size)).toCompletionStage();
    }

    /** Messages written but not yet taken by the network, in characters. */
    public long queuedBytes() {
        return queued.get();
    }

    private void slowConsumer() {
        if (closeReason == null) {
            closeReason = "slow consumer: more than " + maxQueuedBytes + " bytes waiting to be sent";
        }
        if (!ws.isClosed()) {
            ws.close(CLOSE_SLOW_CONSUMER, "slow consumer");
        }
        finish(closeReason);
    }

    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close((short) 1000, "bye");
        }
        finish("closed locally");
    }

    private void finish(String reason) {
        if (closed.compareAndSet(false, true)) {
            if (pingTimer >= 0) {
                vertx.cancelTimer(pingTimer);
            }
            Listener l = listener;
            if (l != null) {
                l.onClose(reason);
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public String describe() {
        return description;
    }
}
