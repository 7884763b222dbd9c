package io.thinkloop.mcp.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.JsonRpcPeer;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.InitializeResult;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.McpMethods;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.mcp.types.ProtocolVersions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A client of one MCP server. {@link #connect} opens the transport, runs {@code initialize} /
 * {@code notifications/initialized} and lists the tools. When the connection drops, in-flight calls fail at
 * once and (if enabled) the client reconnects with backoff, re-initializes and re-lists the tools.
 */
public final class McpClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(McpClient.class);
    private static final ScheduledExecutorService RECONNECTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mcp-reconnect");
        t.setDaemon(true);
        return t;
    });

    public enum State {
        DISCONNECTED,
        CONNECTING,
        READY,
        CLOSED
    }

    public record Options(
            Implementation clientInfo,
            String protocolVersion,
            RequestOptions requests,
            boolean reconnect,
            Duration reconnectMin,
            Duration reconnectMax) {
        public static Options defaults() {
            return new Options(
                    new Implementation("thinkloop", "0.1"),
                    ProtocolVersions.LATEST,
                    RequestOptions.DEFAULT,
                    false,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(30));
        }

        public Options withReconnect(boolean on) {
            return new Options(clientInfo, protocolVersion, requests, on, reconnectMin, reconnectMax);
        }

        public Options withRequests(RequestOptions r) {
            return new Options(clientInfo, protocolVersion, r, reconnect, reconnectMin, reconnectMax);
        }
    }

    private final Connector connector;
    private final Options options;
    private final List<Consumer<List<McpTool>>> toolListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<State>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<JsonNode>> logListeners = new CopyOnWriteArrayList<>();
    private volatile JsonRpcPeer peer;
    private volatile State state = State.DISCONNECTED;
    private volatile InitializeResult initializeResult;
    private volatile List<McpTool> tools = List.of();
    private volatile String lastError;
    private volatile Duration backoff;
    private volatile int connects;

    public McpClient(Connector connector, Options options) {
        this.connector = connector;
        this.options = options;
        this.backoff = options.reconnectMin();
    }

    public McpClient(Connector connector) {
        this(connector, Options.defaults());
    }

    public String describe() {
        return connector.describe();
    }

    /** Connects, initializes and lists the tools; emits the server's {@code initialize} answer. */
    public Uni<InitializeResult> connect() {
        if (state == State.CLOSED) {
            return Uni.createFrom().failure(new IllegalStateException("client closed"));
        }
        setState(State.CONNECTING);
        return Uni.createFrom()
                .completionStage(connector::connect)
                .flatMap(transport -> {
                    JsonRpcPeer p = new JsonRpcPeer(transport, "mcp-client:" + connector.describe());
                    p.onRequest(McpMethods.PING, ctx -> Uni.createFrom().item(Json.MAPPER.createObjectNode()))
                            .onNotification(McpMethods.TOOLS_LIST_CHANGED, n -> refreshTools())
                            .onNotification(McpMethods.LOG_MESSAGE, n -> logListeners.forEach(l -> l.accept(n)))
                            .onClose(reason -> disconnected(p, reason));
                    peer = p;
                    p.start();
                    return initialize(p);
                })
                .flatMap(init -> listTools().map(t -> init))
                .invoke(init -> {
                    connects++;
                    backoff = options.reconnectMin();
                    setState(State.READY);
                })
                .onFailure()
                .invoke(e -> {
                    lastError = String.valueOf(e.getMessage());
                    JsonRpcPeer p = peer;
                    if (p != null) {
                        p.close();
                    }
                    if (state != State.CLOSED) {
                        setState(State.DISCONNECTED);
                    }
                });
    }

    private Uni<InitializeResult> initialize(JsonRpcPeer p) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("protocolVersion", options.protocolVersion());
        params.putObject("capabilities");
        params.set("clientInfo", Json.MAPPER.valueToTree(options.clientInfo()));
        return p.request(McpMethods.INITIALIZE, params, options.requests()).map(r -> {
            InitializeResult init = Json.MAPPER.convertValue(r, InitializeResult.class);
            if (init.protocolVersion() == null || !ProtocolVersions.ALL.contains(init.protocolVersion())) {
                throw new McpException(
                        JsonRpcError.INVALID_REQUEST,
                        "server answered with unsupported protocol version " + init.protocolVersion());
            }
            initializeResult = init;
            p.notify(McpMethods.INITIALIZED, Json.MAPPER.createObjectNode());
            return init;
        });
    }

    private void disconnected(JsonRpcPeer p, String reason) {
        if (p != peer) {
            return;
        }
        lastError = reason;
        if (state == State.CLOSED) {
            return;
        }
        boolean wasReady = state == State.READY;
        setState(State.DISCONNECTED);
        if (options.reconnect() && wasReady) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        Duration wait = backoff;
        backoff = Duration.ofMillis(Math.min(options.reconnectMax().toMillis(), wait.toMillis() * 2));
        LOG.debugf("MCP %s: reconnecting in %s", connector.describe(), wait);
        RECONNECTS.schedule(
                () -> {
                    if (state != State.DISCONNECTED) {
                        return;
                    }
                    connect()
                            .subscribe()
                            .with(
                                    ok -> LOG.infof("MCP %s: reconnected", connector.describe()),
                                    e -> scheduleReconnect());
                },
                wait.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts reconnect attempts even when the first connect failed (used by the server manager). */
    public void keepConnecting() {
        if (options.reconnect() && state == State.DISCONNECTED) {
            scheduleReconnect();
        }
    }

    private void refreshTools() {
        listTools()
                .subscribe()
                .with(
                        t -> {},
                        e -> LOG.debugf("MCP %s: tools refresh failed: %s", connector.describe(), e.getMessage()));
    }

    /** Lists all tools (following {@code nextCursor}), updates the cache and tells the tool listeners. */
    public Uni<List<McpTool>> listTools() {
        return listFrom(null, new ArrayList<>()).invoke(all -> {
            tools = List.copyOf(all);
            toolListeners.forEach(l -> l.accept(tools));
        });
    }

    private Uni<List<McpTool>> listFrom(String cursor, List<McpTool> acc) {
        ObjectNode params = Json.MAPPER.createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return request(McpMethods.TOOLS_LIST, params, options.requests()).flatMap(r -> {
            for (JsonNode t : r.path("tools")) {
                acc.add(Json.MAPPER.convertValue(t, McpTool.class));
            }
            JsonNode next = r.get("nextCursor");
            if (next != null && next.isTextual() && !next.textValue().isEmpty() && acc.size() < 100_000) {
                return listFrom(next.textValue(), acc);
            }
            return Uni.createFrom().item(acc);
        });
    }

    public Uni<CallToolResult> callTool(String name, JsonNode arguments, RequestOptions requestOptions) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("name", name);
        params.set("arguments", arguments == null ? Json.MAPPER.createObjectNode() : arguments);
        return request(McpMethods.TOOLS_CALL, params, requestOptions)
                .map(r -> Json.MAPPER.convertValue(r, CallToolResult.class));
    }

    public Uni<CallToolResult> callTool(String name, JsonNode arguments) {
        return callTool(name, arguments, options.requests());
    }

    public Uni<Void> ping() {
        return request(McpMethods.PING, Json.MAPPER.createObjectNode(), options.requests())
                .replaceWithVoid();
    }

    /** Any request; fails at once with {@link JsonRpcError#CONNECTION_CLOSED} when not connected. */
    public Uni<JsonNode> request(String method, ObjectNode params, RequestOptions requestOptions) {
        return Uni.createFrom().deferred(() -> {
            JsonRpcPeer p = peer;
            if (p == null || !p.isOpen()) {
                return Uni.createFrom()
                        .failure(new McpException(
                                JsonRpcError.CONNECTION_CLOSED,
                                "not connected to " + connector.describe()
                                        + (lastError == null ? "" : " (" + lastError + ")")));
            }
            return p.request(method, params, requestOptions);
        });
    }

    public List<McpTool> tools() {
        return tools;
    }

    public InitializeResult initializeResult() {
        return initializeResult;
    }

    public State state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public int connectCount() {
        return connects;
    }

    public RequestOptions requestDefaults() {
        return options.requests();
    }

    public void onToolsChanged(Consumer<List<McpTool>> listener) {
        toolListeners.add(listener);
    }

    public void onStateChanged(Consumer<State> listener) {
        stateListeners.add(listener);
    }

    public void onLog(Consumer<JsonNode> listener) {
        logListeners.add(listener);
    }

    private void setState(State s) {
        if (state != s) {
            state = s;
            stateListeners.forEach(l -> l.accept(s));
        }
    }

    /** Drops the connection as a network failure would (reconnect applies); for tests and health probes. */
    public void dropConnection() {
        JsonRpcPeer p = peer;
        if (p != null) {
            p.transport().close();
        }
    }

    @Override
    public void close() {
        setState(State.CLOSED);
        JsonRpcPeer p = peer;
        if (p != null) {
            p.close();
        }
    }
}
