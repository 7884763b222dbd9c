package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.FailFastAssertionException;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.JsonRpcPeer;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.protocol.RequestContext;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.McpMethods;
import io.thinkloop.mcp.types.ProtocolVersions;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's MCP session: {@code initialize} negotiates the version and must come first (except for
 * {@code ping}, {@code server/discover} and stateless-style requests carrying their version in
 * {@code _meta}); then {@code tools/list} (paged by an opaque cursor), {@code tools/call} (with progress
 * and cancellation), {@code logging/setLevel}.
 */
public final class McpServerSession {
    static final List<String> LOG_LEVELS =
            List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
    private static final Set<String> ALWAYS_ALLOWED =
            Set.of(McpMethods.INITIALIZE, McpMethods.PING, McpMethods.SERVER_DISCOVER);

    private final McpServer server;
    private final JsonRpcPeer peer;
    private final String id;
    private volatile String protocolVersion;
    private volatile JsonNode clientInfo;
    private volatile JsonNode clientCapabilities;
    private volatile String logLevel;
    private final McpServer.Limits limits;
    /** Token bucket of {@link McpServer.Limits#ratePerSecond()}; touched only by the serial gate. */
    private double rateTokens;

    private long rateNanos = System.nanoTime();
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();

    McpServerSession(McpServer server, JsonRpcPeer peer, String id) {
        this.server = server;
        this.peer = peer;
        this.id = id;
        this.limits = server.limits();
        this.rateTokens = Math.max(1, limits.ratePerSecond() * 2);
        peer.gate(this::gate)
                .onRequest(McpMethods.INITIALIZE, this::initialize)
                .onRequest(McpMethods.PING, ctx -> Uni.createFrom().item(Json.MAPPER.createObjectNode()))
                .onRequest(McpMethods.SERVER_DISCOVER, this::discover)
                .onRequest(McpMethods.TOOLS_LIST, this::listTools)
                .onRequest(McpMethods.TOOLS_CALL, this::callTool)
                .onRequest(McpMethods.LOGGING_SET_LEVEL, this::setLevel)
                .onRequest(
                        McpMethods.RESOURCES_LIST,
                        ctx -> item(
                                ServerContentDispatch.listResources(server.content(), ctx.params(), server.pageSize())))
                .onRequest(
                        McpMethods.RESOURCES_TEMPLATES_LIST,
                        ctx -> item(
                                ServerContentDispatch.listTemplates(server.content(), ctx.params(), server.pageSize())))
                .onRequest(
                        McpMethods.RESOURCES_READ,
                        ctx -> item(ServerContentDispatch.read(server.content(), ctx.params())))
                .onRequest(McpMethods.RESOURCES_SUBSCRIBE, ctx -> subscribe(ctx, true))
                .onRequest(McpMethods.RESOURCES_UNSUBSCRIBE, ctx -> subscribe(ctx, false))
                .onRequest(
                        McpMethods.PROMPTS_LIST,
                        ctx -> item(
                                ServerContentDispatch.listPrompts(server.content(), ctx.params(), server.pageSize())))
                .onRequest(
                        McpMethods.PROMPTS_GET,
                        ctx -> item(ServerContentDispatch.getPrompt(server.content(), ctx.params())))
                .onRequest(
                        McpMethods.COMPLETION_COMPLETE,
                        ctx -> item(ServerContentDispatch.complete(server.content(), ctx.params())))
                .onNotification(McpMethods.INITIALIZED, p -> {});
    }

    public String id() {
        return id;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    public JsonNode clientInfo() {
        return clientInfo;
    }

    public JsonRpcPeer peer() {
        return peer;
    }

    public void close() {
        peer.close();
    }

    private JsonRpcError gate(RequestContext ctx) {
        JsonRpcError limited = limit();
        if (limited != null) {
            return limited;
        }
        String stateless = ProtocolVersions.fromMeta(ctx.params());
        if (stateless != null && !ProtocolVersions.ALL.contains(stateless)) {
            return new JsonRpcError(
                    JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION,
                    "Unsupported protocol version: " + stateless,
                    Json.MAPPER
                            .createObjectNode()
                            .put("requested", stateless)
                            .set("supported", Json.MAPPER.valueToTree(ProtocolVersions.ALL)));
        }
        if (protocolVersion == null && stateless == null && !ALWAYS_ALLOWED.contains(ctx.method())) {
            return JsonRpcError.of(
                    JsonRpcError.INVALID_REQUEST,
                    "Invalid Request: session not initialized (send initialize first, or name the protocol version in _meta)");
        }
        return null;
    }

    /**
     * The per-connection limits, checked before a request is dispatched (the transport delivers one message at
     * a time, so this runs serially). A refused request costs one small error reply.
     */
    private synchronized JsonRpcError limit() {
        if (limits.maxInFlight() > 0 && peer.inboundInFlight() >= limits.maxInFlight()) {
            return new JsonRpcError(
                    JsonRpcError.LIMIT_EXCEEDED,
                    "Too many requests in flight: at most " + limits.maxInFlight()
                            + " per connection; wait for an answer before sending more",
                    Json.MAPPER.createObjectNode().put("limit", "in_flight").put("max", limits.maxInFlight()));
        }
        if (limits.ratePerSecond() > 0) {
            long now = System.nanoTime();
            double burst = Math.max(1, limits.ratePerSecond() * 2);
            rateTokens = Math.min(burst, rateTokens + (now - rateNanos) / 1e9 * limits.ratePerSecond());
            rateNanos = now;
            if (rateTokens < 1) {
                return new JsonRpcError(
                        JsonRpcError.LIMIT_EXCEEDED,
                        "Rate limit: at most " + limits.ratePerSecond()
                                + " requests per second per connection; slow down",
                        Json.MAPPER.createObjectNode().put("limit", "rate").put("max", limits.ratePerSecond()));
            }
            rateTokens -= 1;
        }
        return null;
    }

    private Uni<JsonNode> initialize(RequestContext ctx) {
        JsonNode params = ctx.params() == null ? Json.MAPPER.createObjectNode() : ctx.params();
        JsonNode requested = params.get("protocolVersion");
        if (requested == null || !requested.isTextual()) {
            throw new McpException(
                    JsonRpcError.INVALID_PARAMS, "Invalid params: initialize needs protocolVersion (a string)");
        }
        if (protocolVersion != null) {
            throw new McpException(JsonRpcError.INVALID_REQUEST, "Invalid Request: session already initialized");
        }
        clientInfo = params.get("clientInfo");
        clientCapabilities = params.get("capabilities");
        protocolVersion = ProtocolVersions.negotiate(requested.textValue());
        ObjectNode result = Json.MAPPER.createObjectNode().put("protocolVersion", protocolVersion);
        result.set("capabilities", server.capabilities());
        result.set("serverInfo", Json.MAPPER.valueToTree(server.serverInfo()));
        if (server.instructions() != null) {
            result.put("instructions", server.instructions());
        }
        return Uni.createFrom().item(result);
    }

    private Uni<JsonNode> discover(RequestContext ctx) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.set("supportedVersions", Json.MAPPER.valueToTree(ProtocolVersions.ALL));
        result.set("capabilities", server.capabilities());
        result.set("serverInfo", Json.MAPPER.valueToTree(server.serverInfo()));
        if (server.instructions() != null) {
            result.put("instructions", server.instructions());
        }
        return Uni.createFrom().item(result);
    }

    private Uni<JsonNode> setLevel(RequestContext ctx) {
        String level = ctx.params() == null ? null : ctx.params().path("level").asText(null);
        if (level == null || !LOG_LEVELS.contains(level)) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: level must be one of " + LOG_LEVELS);
        }
        logLevel = level;
        return Uni.createFrom().item(Json.MAPPER.createObjectNode());
    }

    /** Sends {@code notifications/message} if the client asked for this level or a lower one. */
    public void log(String level, String logger, JsonNode data) {
        log(level, logger, data, null);
    }

    /** As {@link #log(String, String, JsonNode)}, as part of serving {@code during} (null: unrelated to any request). */
    void log(String level, String logger, JsonNode data, RequestContext during) {
        String wanted = logLevel;
        if (wanted == null || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(wanted)) {
            return;
        }
        ObjectNode p = Json.MAPPER.createObjectNode().put("level", level).put("logger", logger);
        p.set("data", data);
        if (during == null) {
            peer.notify(McpMethods.LOG_MESSAGE, p);
        } else {
            during.notify(McpMethods.LOG_MESSAGE, p);
        }
    }

    private static Uni<JsonNode> item(JsonNode result) {
        return Uni.createFrom().item(result);
    }

    private Uni<JsonNode> subscribe(RequestContext ctx, boolean on) {
        JsonNode uri = ctx.params() == null ? null : ctx.params().get("uri");
        if (uri == null || !uri.isTextual()) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: uri (a string) is required");
        }
        if (on) {
            subscriptions.add(uri.textValue());
        } else {
            subscriptions.remove(uri.textValue());
        }
        return item(Json.MAPPER.createObjectNode());
    }

    /** {@code notifications/resources/updated} if this session subscribed to {@code uri}. */
    void resourceUpdated(String uri) {
        if (subscriptions.contains(uri) && peer.isOpen()) {
            peer.notify(
                    McpMethods.RESOURCES_UPDATED, Json.MAPPER.createObjectNode().put("uri", uri));
        }
    }

    void contentChanged() {
        if (protocolVersion != null && peer.isOpen()) {
            peer.notify(McpMethods.RESOURCES_LIST_CHANGED, Json.MAPPER.createObjectNode());
            peer.notify(McpMethods.PROMPTS_LIST_CHANGED, Json.MAPPER.createObjectNode());
        }
    }

    /** One page of {@code all} under {@code field}, from the request's cursor, with {@code nextCursor} when more remain. */
    static ObjectNode page(List<JsonNode> all, String field, JsonNode params, int pageSize) {
        int offset = 0;
        JsonNode cursor = params == null ? null : params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            offset = decodeCursor(cursor);
            if (offset < 0 || offset > all.size()) {
                throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: unknown cursor");
            }
        }
        int end = Math.min(all.size(), offset + pageSize);
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode list = result.putArray(field);
        all.subList(offset, end).forEach(list::add);
        if (end < all.size()) {
            result.put(
                    "nextCursor",
                    Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(("o:" + end).getBytes(StandardCharsets.UTF_8)));
        }
        return result;
    }

    void toolsChanged() {
        if (protocolVersion != null && peer.isOpen()) {
            peer.notify(McpMethods.TOOLS_LIST_CHANGED, Json.MAPPER.createObjectNode());
        }
    }

    private Uni<JsonNode> listTools(RequestContext ctx) {
        List<JsonNode> all = server.tools().list().stream()
                .map(t -> (JsonNode) Json.MAPPER.valueToTree(McpServer.describe(t)))
                .toList();
        return item(page(all, "tools", ctx.params(), server.pageSize()));
    }

    private static int decodeCursor(JsonNode cursor) {
        if (!cursor.isTextual()) {
            return -1;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor.textValue()), StandardCharsets.UTF_8);
            return s.startsWith("o:") ? Integer.parseInt(s.substring(2)) : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private Uni<JsonNode> callTool(RequestContext ctx) {
        JsonNode params = ctx.params();
        JsonNode name = params == null ? null : params.get("name");
        if (name == null || !name.isTextual()) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: tools/call needs name (a string)");
        }
        Tool tool = server.tools().find(name.textValue());
        if (tool == null) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name.textValue());
        }
        JsonNode args = params.get("arguments");
        if (args == null || args.isNull()) {
            args = Json.MAPPER.createObjectNode();
        }
        if (!args.isObject()) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: arguments must be an object");
        }
        JsonSchema schema = server.inputSchema(tool);
        if (schema != null) {
            String problems = problems(schema, args, limits.maxArgumentErrors());
            if (problems != null) {
                // Input errors are tool errors (2025-11-25): the model reads them and can correct its call.
                return Uni.createFrom()
                        .item(toJson(ToolResult.error("Invalid arguments for " + name.textValue() + ": " + problems)));
            }
        }
        String toolName = name.textValue();
        return budgeted(toolName, run(tool, toolName, args, ctx));
    }

    private Uni<JsonNode> run(Tool tool, String toolName, JsonNode args, RequestContext ctx) {
        if (tool instanceof McpNativeTool nativeTool) {
            McpNativeTool.McpCallContext mcc = new McpNativeTool.McpCallContext() {
                @Override
                public void progress(double progress, Double total, String message) {
                    ctx.progress(progress, total, message);
                }

                @Override
                public void log(String level, String logger, JsonNode data) {
                    McpServerSession.this.log(level, logger, data, ctx);
                }

                @Override
                public boolean closeStream(long retryMillis) {
                    return ctx.closeStream(retryMillis);
                }

                @Override
                public JsonNode clientCapabilities() {
                    return clientCapabilities == null ? Json.MAPPER.createObjectNode() : clientCapabilities;
                }

                @Override
                public Uni<JsonNode> request(String method, ObjectNode requestParams) {
                    return ctx.request(method, requestParams, RequestOptions.DEFAULT);
                }
            };
            try {
                return nativeTool.callMcp(args, mcc);
            } catch (RuntimeException e) {
                return Uni.createFrom().failure(e);
            }
        }
        ToolCallContext tcc = new ToolCallContext(
                id,
                null,
                ctx.id().asText(),
                (progress, message) -> ctx.progress(progress == null ? 0 : progress, null, message));
        Uni<ToolResult> running;
        try {
            running = tool.call(args, tcc);
        } catch (RuntimeException e) {
            running = Uni.createFrom().failure(e);
        }
        return running.onFailure()
                .recoverWithItem(e -> {
                    log(
                            "error",
                            "tools",
                            Json.MAPPER.createObjectNode().put("tool", toolName).put("error", String.valueOf(e)),
                            ctx);
                    return ToolResult.error("Tool " + toolName + " failed: "
                            + (e.getMessage() == null ? e.toString() : e.getMessage()));
                })
                .map(McpServerSession::toJson);
    }

    /**
     * The call within its limits: past its time budget it is cancelled (the tool's Uni is cancelled, as on
     * {@code notifications/cancelled}) and answered with an error result; a result larger than
     * {@code maxResultBytes} is replaced by an error result.
     */
    private Uni<JsonNode> budgeted(String toolName, Uni<JsonNode> call) {
        Duration budget = limits.budget(toolName);
        if (budget != null && !budget.isZero() && !budget.isNegative()) {
            call = call.ifNoItem().after(budget).recoverWithItem(() -> {
                log(
                        "warning",
                        "tools",
                        Json.MAPPER.createObjectNode().put("tool", toolName).put("error", "time budget exceeded"));
                return toJson(ToolResult.error("Tool " + toolName + " did not finish within its time budget of "
                        + budget.toMillis() + " ms and was cancelled"));
            });
        }
        long maxBytes = limits.maxResultBytes();
        if (maxBytes <= 0) {
            return call;
        }
        return call.map(result -> {
            long size = jsonSize(result, maxBytes);
            return size <= maxBytes
                    ? result
                    : toJson(ToolResult.error("Tool " + toolName + " returned a result larger than the limit of "
                            + maxBytes + " bytes; ask for less (a narrower query, fewer items)"));
        });
    }

    /** The size of {@code node} as JSON, counted up to just past {@code cap} (a huge result is never written out whole). */
    static long jsonSize(JsonNode node, long cap) {
        final class Counter extends OutputStream {
            long count;

            @Override
            public void write(int b) {
                add(1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                add(len);
            }

            private void add(long n) {
                count += n;
                if (count > cap) {
                    throw new SizeExceeded();
                }
            }
        }
        Counter counter = new Counter();
        try {
            Json.MAPPER.writeValue(counter, node);
        } catch (IOException | RuntimeException e) {
            // Jackson may wrap the stream's SizeExceeded; the count tells whether that was the cause
            if (counter.count <= cap) {
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
        return counter.count;
    }

    private static final class SizeExceeded extends RuntimeException {
        SizeExceeded() {
            super(null, null, false, false);
        }
    }

    /**
     * What is wrong with the arguments, or null when they are valid. A first pass stops at the first error;
     * only small arguments (at most {@value #FULL_VALIDATION_NODES} JSON values) are then validated in full to
     * report up to {@code maxErrors} problems. So the work and the reply stay small whatever the request: a
     * 3 MB array of wrong items gets one line back, not one line per item.
     */
    static String problems(JsonSchema schema, JsonNode args, int maxErrors) {
        List<String> first;
        try {
            first = messages(
                    schema.validate(args, ctx -> ctx.getExecutionConfig().setFailFast(true)));
        } catch (FailFastAssertionException e) {
            first = messages(e.getValidationMessages());
        }
        if (first.isEmpty()) {
            return null;
        }
        if (maxErrors <= 1 || !smallerThan(args, FULL_VALIDATION_NODES)) {
            return first.getFirst() + " (validation stops at the first error)";
        }
        List<String> all = messages(schema.validate(args));
        if (all.isEmpty()) {
            all = first;
        }
        String shown = String.join("; ", all.subList(0, Math.min(maxErrors, all.size())));
        return all.size() > maxErrors ? shown + "; and " + (all.size() - maxErrors) + " more" : shown;
    }

    static final int FULL_VALIDATION_NODES = 1000;

    private static List<String> messages(Set<ValidationMessage> set) {
        return set == null
                ? List.of()
                : set.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /** Whether the tree has fewer than {@code max} values, counted without walking past {@code max}. */
    private static boolean smallerThan(JsonNode root, int max) {
        ArrayDeque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        int seen = 0;
        while (!todo.isEmpty()) {
            if (++seen >= max) {
                return false;
            }
            JsonNode n = todo.pop();
            if (n.isContainerNode()) {
                n.forEach(todo::push);
            }
        }
        return true;
    }

    static JsonNode toJson(ToolResult r) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ArrayNode content = o.putArray("content");
        String text = r.text();
        if (text == null && r.structured() != null) {
            text = r.structured().toString();
        }
        content.addObject().put("type", "text").put("text", text == null ? "" : text);
        if (r.structured() != null) {
            o.set("structuredContent", r.structured());
        }
        if (r.isError()) {
            o.put("isError", true);
        }
        return o;
    }
}
