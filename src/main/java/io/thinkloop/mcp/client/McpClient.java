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
import io.thinkloop.tools.ToolCallContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 *
 * <p>Version negotiation: with {@link ProtocolVersions#STATELESS} asked for, the client first sends
 * {@code server/discover}; a server that lists the stateless revision gets every later request with the version,
 * our capabilities and identity in {@code _meta} and no {@code initialize}; a server that does not know the method
 * (an older one) gets the {@code initialize} handshake of {@link ProtocolVersions#LATEST} instead. With a session
 * revision asked for, the client initializes as before.
 *
 * <p>What the server asks of us ({@code roots/list}, {@code sampling/createMessage}, {@code elicitation/create}) is
 * answered by the {@link ClientRequestHandler} set with {@link #handleRequests}; a request is attributed to the
 * most recently started tool call still running on this connection (MCP links such a request to no call on
 * stdio or WebSocket; a server asks while serving a call, and the agent's calls to one server rarely overlap).
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

        /** The revision to ask for; {@link ProtocolVersions#STATELESS} negotiates (see the class comment). */
        public Options withProtocolVersion(String version) {
            return new Options(clientInfo, version, requests, reconnect, reconnectMin, reconnectMax);
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
    private volatile ClientRequestHandler handler = ClientRequestHandler.NONE;
    private volatile boolean stateless;
    private final ConcurrentLinkedDeque<ToolCallContext> callers = new ConcurrentLinkedDeque<>();
    private final List<Runnable> contentListeners = new CopyOnWriteArrayList<>();

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

    /** Sets what answers the server's requests; call before {@link #connect} (capabilities are announced there). */
    public McpClient handleRequests(ClientRequestHandler h) {
        this.handler = h == null ? ClientRequestHandler.NONE : h;
        return this;
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
                            .onNotification(McpMethods.RESOURCES_LIST_CHANGED, n -> contentChanged())
                            .onNotification(McpMethods.PROMPTS_LIST_CHANGED, n -> contentChanged())
                            .onRequest(McpMethods.ROOTS_LIST, ctx -> roots())
                            .onRequest(McpMethods.SAMPLING_CREATE_MESSAGE, ctx -> {
                                ClientRequestHandler h = handler;
                                if (!h.samples()) {
                                    throw new McpException(
                                            JsonRpcError.METHOD_NOT_FOUND, "this client offers no sampling");
                                }
                                return h.createMessage(ctx.params(), currentCaller());
                            })
                            .onRequest(McpMethods.ELICITATION_CREATE, ctx -> {
                                ClientRequestHandler h = handler;
                                if (!h.elicits()) {
                                    throw new McpException(
                                            JsonRpcError.METHOD_NOT_FOUND, "this client offers no elicitation");
                                }
                                return h.elicit(ctx.params(), currentCaller());
                            })
                            .onClose(reason -> disconnected(p, reason));
                    peer = p;
                    p.start();
                    return handshake(p);
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

    private Uni<InitializeResult> handshake(JsonRpcPeer p) {
        stateless = false;
        if (!ProtocolVersions.STATELESS.equals(options.protocolVersion())) {
            return initialize(p, options.protocolVersion());
        }
        return discover(p).onFailure(McpException.class).recoverWithUni(e -> {
            LOG.debugf("MCP %s: no server/discover (%s), initializing", connector.describe(), e.getMessage());
            return initialize(p, ProtocolVersions.LATEST);
        });
    }

    /** The stateless revision's discovery; fails when the server does not offer that revision. */
    private Uni<InitializeResult> discover(JsonRpcPeer p) {
        ObjectNode params = Json.MAPPER.createObjectNode();
        params.set("_meta", statelessMeta());
        return p.request(McpMethods.SERVER_DISCOVER, params, options.requests()).map(r -> {
            boolean offered = false;
            for (JsonNode v : r.path("supportedVersions")) {
                offered |= ProtocolVersions.STATELESS.equals(v.asText());
            }
            if (!offered) {
                throw new McpException(
                        JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION,
                        "server does not offer " + ProtocolVersions.STATELESS + ": " + r.path("supportedVersions"));
            }
            JsonNode info = r.has("serverInfo")
                    ? r.get("serverInfo")
                    : r.path("_meta").path("io.modelcontextprotocol/serverInfo");
            InitializeResult init = new InitializeResult(
                    ProtocolVersions.STATELESS,
                    r.path("capabilities"),
                    info.isObject() ? Json.MAPPER.convertValue(info, Implementation.class) : null,
                    r.path("instructions").isTextual() ? r.get("instructions").textValue() : null);
            initializeResult = init;
            stateless = true;
            return init;
        });
    }

    /** What a stateless request carries in {@code _meta}: the revision, our capabilities, who we are. */
    private ObjectNode statelessMeta() {
        ObjectNode meta =
                Json.MAPPER.createObjectNode().put(ProtocolVersions.META_PROTOCOL_VERSION, ProtocolVersions.STATELESS);
        meta.set(ProtocolVersions.META_CLIENT_CAPABILITIES, capabilities());
        meta.set(ProtocolVersions.META_CLIENT_INFO, Json.MAPPER.valueToTree(options.clientInfo()));
        return meta;
    }

    /** What we offer the server, from the request handler. */
    private ObjectNode capabilities() {
        ObjectNode caps = Json.MAPPER.createObjectNode();
        ClientRequestHandler h = handler;
        if (h.roots() != null) {
            caps.putObject("roots").put("listChanged", false);
        }
        if (h.samples()) {
            caps.putObject("sampling");
        }
        if (h.elicits()) {
            caps.putObject("elicitation").putObject("form");
        }
        return caps;
    }

    private Uni<JsonNode> roots() {
        List<JsonNode> roots = handler.roots();
        if (roots == null) {
            throw new McpException(JsonRpcError.METHOD_NOT_FOUND, "this client offers no roots");
        }
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.putArray("roots").addAll(roots);
        return Uni.createFrom().item(result);
    }

    private ToolCallContext currentCaller() {
        return callers.peekLast();
    }

    private Uni<InitializeResult> initialize(JsonRpcPeer p, String version) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("protocolVersion", version);
        params.set("capabilities", capabilities());
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
        return callTool(name, arguments, requestOptions, null);
    }

    /**
     * A call made for {@code caller} (a tool call of an agent turn): requests the server sends while it runs
     * (sampling, elicitation) are answered on that caller's behalf.
     */
    public Uni<CallToolResult> callTool(
            String name, JsonNode arguments, RequestOptions requestOptions, ToolCallContext caller) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("name", name);
        params.set("arguments", arguments == null ? Json.MAPPER.createObjectNode() : arguments);
        Uni<JsonNode> call = request(McpMethods.TOOLS_CALL, params, requestOptions);
        if (caller != null) {
            call = Uni.createFrom().deferred(() -> {
                callers.addLast(caller);
                return request(McpMethods.TOOLS_CALL, params, requestOptions)
                        .onTermination()
                        .invoke(() -> callers.removeLastOccurrence(caller));
            });
        }
        return call.map(r -> Json.MAPPER.convertValue(r, CallToolResult.class));
    }

    /** Whether the server announced a capability ({@code resources}, {@code prompts}, ...). */
    public boolean offers(String capability) {
        InitializeResult init = initializeResult;
        return state == State.READY
                && init != null
                && init.capabilities() != null
                && init.capabilities().has(capability);
    }

    /** Every resource ({@code resources/list}, all pages). */
    public Uni<List<JsonNode>> listResources() {
        return listAll(McpMethods.RESOURCES_LIST, "resources", null, new ArrayList<>());
    }

    /** Every resource template ({@code resources/templates/list}, all pages). */
    public Uni<List<JsonNode>> listResourceTemplates() {
        return listAll(McpMethods.RESOURCES_TEMPLATES_LIST, "resourceTemplates", null, new ArrayList<>());
    }

    /** {@code resources/read}: the result with its {@code contents}. */
    public Uni<JsonNode> readResource(String uri) {
        return request(McpMethods.RESOURCES_READ, Json.MAPPER.createObjectNode().put("uri", uri), options.requests());
    }

    /** Every prompt ({@code prompts/list}, all pages). */
    public Uni<List<JsonNode>> listPrompts() {
        return listAll(McpMethods.PROMPTS_LIST, "prompts", null, new ArrayList<>());
    }

    /** {@code prompts/get}: the result with its {@code messages}. */
    public Uni<JsonNode> getPrompt(String name, Map<String, String> arguments) {
        ObjectNode params = Json.MAPPER.createObjectNode().put("name", name);
        ObjectNode args = params.putObject("arguments");
        if (arguments != null) {
            arguments.forEach(args::put);
        }
        return request(McpMethods.PROMPTS_GET, params, options.requests());
    }

    private Uni<List<JsonNode>> listAll(String method, String field, String cursor, List<JsonNode> acc) {
        ObjectNode params = Json.MAPPER.createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return request(method, params, options.requests()).flatMap(r -> {
            r.path(field).forEach(acc::add);
            JsonNode next = r.get("nextCursor");
            if (next != null && next.isTextual() && !next.textValue().isEmpty() && acc.size() < 100_000) {
                return listAll(method, field, next.textValue(), acc);
            }
            return Uni.createFrom().item(acc);
        });
    }

    /** Called when the server says its resources or prompts changed. */
    public void onContentChanged(Runnable listener) {
        contentListeners.add(listener);
    }

    private void contentChanged() {
        contentListeners.forEach(Runnable::run);
    }

    /** True once {@code server/discover} chose the stateless revision: no session, {@code _meta} on each request. */
    public boolean stateless() {
        return stateless;
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
            return p.request(method, stateless ? withMeta(params) : params, requestOptions);
        });
    }

    private ObjectNode withMeta(ObjectNode params) {
        ObjectNode p = params == null ? Json.MAPPER.createObjectNode() : params.deepCopy();
        ObjectNode meta = p.get("_meta") instanceof ObjectNode m ? m : p.putObject("_meta");
        meta.setAll(statelessMeta());
        return p;
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
