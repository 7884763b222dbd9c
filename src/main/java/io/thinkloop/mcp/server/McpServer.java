package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.JsonRpcPeer;
import io.thinkloop.mcp.protocol.Transport;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.tools.ServerContent;
import io.thinkloop.tools.Tool;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a {@link ToolCatalog} over MCP to every connection handed to {@link #connect}. One instance
 * serves many sessions; each session has its own lifecycle state and log level, and its own share of the
 * {@link Limits}.
 */
public final class McpServer {
    /**
     * What one connection may ask of the server, so that one client cannot take the process down.
     *
     * @param maxInFlight requests being served at once per connection; beyond it a {@link JsonRpcError#LIMIT_EXCEEDED}
     * error (0: no limit)
     * @param ratePerSecond requests per second per connection (a token bucket with a burst of twice that);
     * beyond it the same error (0: no limit)
     * @param callTimeout time budget of one {@code tools/call}: then the call is cancelled and answered with an
     * error result (null: none)
     * @param callTimeouts budgets by tool name that replace {@code callTimeout} (e.g. the agent tool runs a whole turn)
     * @param maxResultBytes the largest {@code tools/call} result, as JSON; a larger one becomes an error result (0: no limit)
     * @param maxQueuedBytes replies and notifications waiting for a client that does not read; beyond it the
     * connection is closed (4008), as a slow session socket is (0: no limit)
     * @param maxArgumentErrors schema errors reported for one call's arguments; validation of a large argument
     * stops at the first error, so a big invalid request cannot turn into a bigger reply
     */
    public record Limits(
            int maxInFlight,
            double ratePerSecond,
            Duration callTimeout,
            Map<String, Duration> callTimeouts,
            long maxResultBytes,
            long maxQueuedBytes,
            int maxArgumentErrors) {
        /** No limits except the bounded argument validation: what standalone servers and tests get by default. */
        public static final Limits NONE = new Limits(0, 0, null, Map.of(), 0, 0, 5);

        public Limits {
            callTimeouts = Map.copyOf(callTimeouts);
            maxArgumentErrors = Math.max(1, maxArgumentErrors);
        }

        /** The time budget of one call of this tool, or null. */
        public Duration budget(String tool) {
            return callTimeouts.getOrDefault(tool, callTimeout);
        }
    }

    private final Implementation serverInfo;
    private final String instructions;
    private final ToolCatalog tools;
    private final int pageSize;
    private final Limits limits;
    private volatile ServerContent content;
    private final Set<McpServerSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<Tool, Object> inputSchemas = new ConcurrentHashMap<>();
    private final AtomicLong sessionCounter = new AtomicLong();
    private final JsonSchemaFactory schemaFactory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    public McpServer(Implementation serverInfo, String instructions, ToolCatalog tools, int pageSize) {
        this(serverInfo, instructions, tools, ServerContent.NONE, pageSize, Limits.NONE);
    }

    public McpServer(Implementation serverInfo, String instructions, ToolCatalog tools, int pageSize, Limits limits) {
        this(serverInfo, instructions, tools, ServerContent.NONE, pageSize, limits);
    }

    /** A server of tools and of resources, resource templates and prompts ({@link ServerContent}). */
    public McpServer(
            Implementation serverInfo, String instructions, ToolCatalog tools, ServerContent content, int pageSize) {
        this(serverInfo, instructions, tools, content, pageSize, Limits.NONE);
    }

    public McpServer(
            Implementation serverInfo,
            String instructions,
            ToolCatalog tools,
            ServerContent content,
            int pageSize,
            Limits limits) {
        this.content = content;
        this.serverInfo = serverInfo;
        this.instructions = instructions;
        this.tools = tools;
        this.pageSize = Math.max(1, pageSize);
        this.limits = limits;
        tools.addListener(() -> sessions.forEach(McpServerSession::toolsChanged));
    }

    public McpServer(Implementation serverInfo, ToolCatalog tools) {
        this(serverInfo, null, tools, 100);
    }

    /** Starts serving one connection; the session ends when the transport closes. */
    public McpServerSession connect(Transport transport) {
        JsonRpcPeer peer = new JsonRpcPeer(transport, "mcp-server:" + transport.describe());
        McpServerSession session = new McpServerSession(this, peer, "s" + sessionCounter.incrementAndGet());
        sessions.add(session);
        peer.onClose(reason -> sessions.remove(session));
        peer.start();
        return session;
    }

    public ServerContent content() {
        return content;
    }

    /** Replaces the resources and prompts; initialized sessions hear {@code list_changed} for both. */
    public void setContent(ServerContent next) {
        content = next;
        sessions.forEach(McpServerSession::contentChanged);
    }

    /** Tells the sessions subscribed to {@code uri} that it changed ({@code notifications/resources/updated}). */
    public void resourceUpdated(String uri) {
        sessions.forEach(s -> s.resourceUpdated(uri));
    }

    public ToolCatalog tools() {
        return tools;
    }

    public Implementation serverInfo() {
        return serverInfo;
    }

    public String instructions() {
        return instructions;
    }

    public Limits limits() {
        return limits;
    }

    public int pageSize() {
        return pageSize;
    }

    public int sessionCount() {
        return sessions.size();
    }

    ObjectNode capabilities() {
        ObjectNode caps = Json.MAPPER.createObjectNode();
        caps.putObject("tools").put("listChanged", true);
        caps.putObject("logging");
        if (!content.isEmpty()) {
            caps.putObject("resources").put("subscribe", true).put("listChanged", true);
            caps.putObject("prompts").put("listChanged", true);
            caps.putObject("completions");
        }
        return caps;
    }

    static McpTool describe(Tool tool) {
        JsonNode input = tool.spec().parameters();
        if (input == null || !input.isObject()) {
            input = Json.MAPPER.createObjectNode().put("type", "object");
        }
        String title = tool instanceof McpToolMetadata m ? m.title() : null;
        JsonNode annotations = tool instanceof McpToolMetadata m ? m.annotations() : null;
        return new McpTool(
                tool.spec().name(), title, tool.spec().description(), input, tool.outputSchema(), annotations, null);
    }

    /** The compiled input schema of a tool, or null when it has none we can compile (then nothing is checked). */
    JsonSchema inputSchema(Tool tool) {
        Object s = inputSchemas.computeIfAbsent(tool, t -> {
            JsonNode schema = t.spec().parameters();
            if (schema == null || !schema.isObject()) {
                return Boolean.FALSE;
            }
            try {
                return schemaFactory.getSchema(schema);
            } catch (RuntimeException e) {
                return Boolean.FALSE;
            }
        });
        return s instanceof JsonSchema js ? js : null;
    }
}
