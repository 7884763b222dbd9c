package io.thinkloop.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.types.Decoded;
import io.thinkloop.mcp.types.JsonRpcCodec;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.JsonRpcMessage;
import io.thinkloop.mcp.types.McpMethods;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One end of a JSON-RPC connection over a {@link Transport}, the same for clients and servers.
 * Inbound requests run concurrently on virtual threads, each cancellable by {@code notifications/cancelled};
 * notifications are never answered; responses complete the matching outbound request. Outbound requests
 * carry numeric ids, time out (progress may extend the timeout up to a hard cap), and on timeout or
 * cancellation tell the peer with {@code notifications/cancelled}. When the transport closes every
 * in-flight outbound request fails at once.
 */
public final class JsonRpcPeer implements Transport.Listener {
    private static final Logger LOG = Logger.getLogger(JsonRpcPeer.class);
    /** Handlers may block (tools do I/O): each runs on its own virtual thread. */
    private static final ExecutorService HANDLERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("mcp-handler-", 0).factory());

    /** Serves one request; the returned Uni is cancelled when the peer cancels the request. */
    @FunctionalInterface
    public interface RequestHandler {
        Uni<JsonNode> handle(RequestContext context);
    }

    private final Transport transport;
    private final String name;
    private final Scheduler scheduler;
    private final Map<String, RequestHandler> requestHandlers = new ConcurrentHashMap<>();
    private final Map<String, Consumer<JsonNode>> notificationHandlers = new ConcurrentHashMap<>();
    private final Map<String, InboundCall> inbound = new ConcurrentHashMap<>();
    private final Map<String, OutboundCall> outbound = new ConcurrentHashMap<>();
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Checks a request before its handler runs (e.g. "not initialized"); returns the error to answer, or null. */
    private volatile Function<RequestContext, JsonRpcError> gate = ctx -> null;

    public JsonRpcPeer(Transport transport, String name) {
        this(transport, name, Scheduler.system());
    }

    /** A peer whose request timeouts run on {@code scheduler} (tests pass a clock they move by hand). */
    public JsonRpcPeer(Transport transport, String name, Scheduler scheduler) {
        this.transport = transport;
        this.name = name;
        this.scheduler = scheduler;
        onNotification(McpMethods.CANCELLED, this::cancelInbound);
        onNotification(McpMethods.PROGRESS, this::progressOutbound);
    }

    public JsonRpcPeer onRequest(String method, RequestHandler handler) {
        requestHandlers.put(method, handler);
        return this;
    }

    public JsonRpcPeer onNotification(String method, Consumer<JsonNode> handler) {
        notificationHandlers.put(method, handler);
        return this;
    }

    public JsonRpcPeer gate(Function<RequestContext, JsonRpcError> gate) {
        this.gate = gate;
        return this;
    }

    public JsonRpcPeer onClose(Consumer<String> listener) {
        closeListeners.add(listener);
        if (closed.get()) {
            listener.accept("already closed");
        }
        return this;
    }

    public void start() {
        transport.start(this);
    }

    public Transport transport() {
        return transport;
    }

    public boolean isOpen() {
        return !closed.get() && transport.isOpen();
    }

    public int inboundInFlight() {
        return inbound.size();
    }

    public void close() {
        transport.close();
        onClose("closed locally");
    }

    // ---- outbound ----

    public void notify(String method, JsonNode params) {
        send(new JsonRpcMessage.Notification(method, params));
    }

    /** A notification that belongs to the inbound request {@code relatedRequestId} (see {@link Transport#send(String, JsonNode, boolean)}). */
    public void notifyRelated(String method, JsonNode params, JsonNode relatedRequestId) {
        send(new JsonRpcMessage.Notification(method, params), relatedRequestId, false);
    }

    /**
     * Sends a request when subscribed; emits its result or fails with {@link McpException}. Cancelling the
     * subscription sends {@code notifications/cancelled}.
     */
    public Uni<JsonNode> request(String method, ObjectNode params, RequestOptions options) {
        return request(method, params, options, null);
    }

    /** As {@link #request(String, ObjectNode, RequestOptions)}, sent as part of serving the inbound request {@code relatedRequestId} (may be null). */
    public Uni<JsonNode> request(String method, ObjectNode params, RequestOptions options, JsonNode relatedRequestId) {
        return Uni.createFrom().emitter(emitter -> {
            long idValue = nextId.getAndIncrement();
            JsonNode id = LongNode.valueOf(idValue);
            String key = key(id);
            ObjectNode p = params == null ? Json.MAPPER.createObjectNode() : params.deepCopy();
            OutboundCall call =
                    new OutboundCall(id, method, options, scheduler.nanoTime(), emitter::complete, emitter::fail);
            if (options.onProgress() != null) {
                (p.get("_meta") instanceof ObjectNode m ? m : p.putObject("_meta")).set("progressToken", id);
            }
            if (closed.get()) {
                emitter.fail(
                        new McpException(JsonRpcError.CONNECTION_CLOSED, "connection closed: " + transport.describe()));
                return;
            }
            outbound.put(key, call);
            call.armTimeout(this);
            emitter.onTermination(() -> {
                // Still pending after termination means the subscriber cancelled: tell the peer.
                if (outbound.remove(key) != null) {
                    call.cancelTimer();
                    sendCancelled(id, "cancelled by the client");
                }
            });
            String frame = new JsonRpcMessage.Request(id, method, p).encode();
            CompletionStage<Void> sent =
                    relatedRequestId == null ? transport.send(frame) : transport.send(frame, relatedRequestId, false);
            sent.whenComplete((v, err) -> {
                if (err != null && outbound.remove(key) != null) {
                    call.cancelTimer();
                    call.fail(new McpException(JsonRpcError.CONNECTION_CLOSED, "send failed: " + err.getMessage()));
                }
            });
        });
    }

    private void sendCancelled(JsonNode id, String reason) {
        if (!closed.get()) {
            ObjectNode p = Json.MAPPER.createObjectNode();
            p.set("requestId", id);
            p.put("reason", reason);
            notify(McpMethods.CANCELLED, p);
        }
    }

    private void timeout(OutboundCall call, String why) {
        if (outbound.remove(key(call.id)) != null) {
            sendCancelled(call.id, why);
            call.fail(new McpException(JsonRpcError.REQUEST_TIMEOUT, "request " + call.method + " timed out: " + why));
        }
    }

    private void progressOutbound(JsonNode params) {
        JsonNode token = params.get("progressToken");
        if (token == null) {
            return;
        }
        OutboundCall call = outbound.get(key(token));
        if (call == null || call.options.onProgress() == null) {
            return;
        }
        JsonNode total = params.get("total");
        JsonNode message = params.get("message");
        try {
            call.options
                    .onProgress()
                    .onProgress(
                            params.path("progress").asDouble(),
                            total != null && total.isNumber() ? total.asDouble() : null,
                            message != null && message.isTextual() ? message.textValue() : null);
        } catch (RuntimeException e) {
            LOG.debugf(e, "%s: progress listener failed", name);
        }
        if (call.options.resetOnProgress()) {
            call.armTimeout(this);
        }
    }

    private void send(JsonRpcMessage message) {
        send(message, null, false);
    }

    private void send(JsonRpcMessage message, JsonNode related, boolean response) {
        if (closed.get()) {
            return;
        }
        String frame = message.encode();
        (related == null ? transport.send(frame) : transport.send(frame, related, response)).whenComplete((v, err) -> {
            if (err != null) {
                LOG.debugf("%s: could not send %s: %s", name, message.getClass().getSimpleName(), err.getMessage());
            }
        });
    }

    // ---- inbound ----

    @Override
    public void onMessage(String frame) {
        Decoded decoded = JsonRpcCodec.decode(frame);
        switch (decoded) {
            case Decoded.Invalid invalid -> {
                if (invalid.reply() != null) {
                    send(invalid.reply());
                } else {
                    LOG.debugf("%s: dropped a malformed message: %s", name, invalid.reason());
                }
            }
            case Decoded.Valid(JsonRpcMessage.Request request) -> dispatch(request);
            case Decoded.Valid(JsonRpcMessage.Notification n) -> {
                Consumer<JsonNode> handler = notificationHandlers.get(n.method());
                if (handler != null) {
                    try {
                        handler.accept(n.params() == null ? Json.MAPPER.createObjectNode() : n.params());
                    } catch (RuntimeException e) {
                        LOG.debugf(e, "%s: notification %s failed", name, n.method());
                    }
                }
            }
            case Decoded.Valid(JsonRpcMessage.Response response) -> {
                OutboundCall call = outbound.remove(key(response.id()));
                if (call == null) {
                    LOG.debugf("%s: response for unknown id %s", name, response.id());
                    return;
                }
                call.cancelTimer();
                if (response.isError()) {
                    call.fail(new McpException(response.error()));
                } else {
                    call.complete(response.result() == null ? Json.MAPPER.nullNode() : response.result());
                }
            }
        }
    }

    private void dispatch(JsonRpcMessage.Request request) {
        JsonNode id = request.id();
        RequestHandler handler = requestHandlers.get(request.method());
        if (handler == null) {
            send(
                    JsonRpcMessage.Response.error(
                            id, JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + request.method()),
                    id,
                    true);
            return;
        }
        if (request.params() != null && !request.params().isObject()) {
            send(
                    JsonRpcMessage.Response.error(
                            id, JsonRpcError.INVALID_PARAMS, "Invalid params: params must be an object"),
                    id,
                    true);
            return;
        }
        RequestContext ctx = new RequestContext(this, id, request.method(), request.params());
        JsonRpcError refused = gate.apply(ctx);
        if (refused != null) {
            send(JsonRpcMessage.Response.error(id, refused), id, true);
            return;
        }
        String key = key(id);
        InboundCall call = new InboundCall();
        if (inbound.putIfAbsent(key, call) != null) {
            send(
                    JsonRpcMessage.Response.error(
                            id,
                            JsonRpcError.INVALID_REQUEST,
                            "Invalid Request: id " + id + " is already in use by a request in flight"),
                    id,
                    true);
            return;
        }
        HANDLERS.execute(() -> {
            Uni<JsonNode> result;
            try {
                result = handler.handle(ctx);
            } catch (RuntimeException e) {
                result = Uni.createFrom().failure(e);
            }
            Cancellable running = result.subscribe()
                    .with(
                            value -> answer(key, call, JsonRpcMessage.Response.ok(id, value)),
                            failure -> answer(key, call, JsonRpcMessage.Response.error(id, toError(failure))));
            call.attach(running);
        });
    }

    private void answer(String key, InboundCall call, JsonRpcMessage.Response response) {
        // A cancelled request gets no response (the receiver of a cancel stops; the sender ignores late replies).
        if (inbound.remove(key, call) && !call.cancelled) {
            send(response, response.id(), true);
        }
    }

    private void cancelInbound(JsonNode params) {
        JsonNode id = params.get("requestId");
        if (id == null) {
            return;
        }
        InboundCall call = inbound.remove(key(id));
        if (call != null) {
            call.cancel();
        }
    }

    static JsonRpcError toError(Throwable failure) {
        if (failure instanceof McpException m) {
            return m.error();
        }
        if (failure instanceof IllegalArgumentException) {
            return JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Invalid params: " + failure.getMessage());
        }
        LOG.debugf(failure, "request handler failed");
        return JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, "Internal error: " + failure);
    }

    @Override
    public void onClose(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (String key : List.copyOf(outbound.keySet())) {
            OutboundCall call = outbound.remove(key);
            if (call != null) {
                call.cancelTimer();
                call.fail(new McpException(JsonRpcError.CONNECTION_CLOSED, "connection closed (" + reason + ")"));
            }
        }
        for (String key : List.copyOf(inbound.keySet())) {
            InboundCall call = inbound.remove(key);
            if (call != null) {
                call.cancel();
            }
        }
        for (Consumer<String> l : closeListeners) {
            try {
                l.accept(reason);
            } catch (RuntimeException e) {
                LOG.debugf(e, "%s: close listener failed", name);
            }
        }
    }

    /** Ids keyed by type and value: the number 1 and the string "1" are different requests. */
    static String key(JsonNode id) {
        return (id.isNumber() ? "n:" : "s:") + id.asText();
    }

    private static final class InboundCall {
        private volatile Cancellable running;
        private volatile boolean cancelled;

        void attach(Cancellable c) {
            running = c;
            if (cancelled) {
                c.cancel();
            }
        }

        void cancel() {
            cancelled = true;
            Cancellable c = running;
            if (c != null) {
                c.cancel();
            }
        }
    }

    private static final class OutboundCall {
        final JsonNode id;
        final String method;
        final RequestOptions options;
        final Consumer<JsonNode> onResult;
        final Consumer<Throwable> onFailure;
        final long startNanos;
        private Cancellable timer;

        OutboundCall(
                JsonNode id,
                String method,
                RequestOptions options,
                long startNanos,
                Consumer<JsonNode> onResult,
                Consumer<Throwable> onFailure) {
            this.id = id;
            this.method = method;
            this.options = options;
            this.startNanos = startNanos;
            this.onResult = onResult;
            this.onFailure = onFailure;
        }

        synchronized void armTimeout(JsonRpcPeer peer) {
            cancelTimer();
            long now = peer.scheduler.nanoTime();
            long timeout = options.timeout() == null
                    ? Long.MAX_VALUE
                    : options.timeout().toNanos();
            long capLeft = options.maxTotal() == null
                    ? Long.MAX_VALUE
                    : options.maxTotal().toNanos() - (now - startNanos);
            long delay = Math.min(timeout, capLeft);
            if (delay == Long.MAX_VALUE) {
                return;
            }
            String why = delay == capLeft && capLeft < timeout
                    ? "hard cap of " + options.maxTotal() + " reached"
                    : "no answer within " + options.timeout();
            timer = peer.scheduler.schedule(() -> peer.timeout(this, why), Math.max(0, delay));
        }

        synchronized void cancelTimer() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }

        void complete(JsonNode result) {
            onResult.accept(result);
        }

        void fail(Throwable t) {
            onFailure.accept(t);
        }
    }
}
