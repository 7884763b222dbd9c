package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.thinkloop.agent.AgentService;
import io.thinkloop.json.Json;
import io.thinkloop.session.ActiveTurn;
import io.thinkloop.session.EventSubscriber;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The {@code agent} tool of {@code /mcp/ws}: other agents call ours over MCP. One call runs one whole
 * turn, in a new session or the given one ({@code sessionId}, created if absent), exactly as a message
 * on the session WebSocket would (the turn is journaled and visible to the session's other clients, e.g.
 * the web console). The result is the final answer's text, with {@code structuredContent}
 * {@code {sessionId, turnId, finishReason, steps, toolCalls, usage, errors}}; it is an error result when
 * the turn ends in {@code error}/{@code deadline}, is cancelled by someone else, or cannot start.
 * Progress notifications follow the turn (start, each tool call and its result, approvals awaited);
 * {@code notifications/cancelled} cancels the turn.
 *
 * <p>The tool runs the agent with all its tools, so by default ({@code thinkloop.mcp.server.agent-tool=auto})
 * it is offered only where {@code /mcp/ws} asks for a token ({@code thinkloop.mcp.server.token}) or the
 * API asks for none ({@code thinkloop.security.auth-enabled=false}): the MCP endpoint must not be a way
 * around the API key. {@code true}/{@code false} force it on or off.
 */
@ApplicationScoped
public class AgentMcpTool implements AgentToolHook {
    private static final Logger LOG = Logger.getLogger(AgentMcpTool.class);

    @Inject
    AgentService agent;

    @Inject
    SessionManager sessions;

    @ConfigProperty(name = "thinkloop.mcp.server.agent-tool", defaultValue = "auto")
    String mode;

    @ConfigProperty(name = "thinkloop.mcp.server.token")
    Optional<String> mcpToken;

    @ConfigProperty(name = "thinkloop.security.auth-enabled", defaultValue = "true")
    boolean authEnabled;

    private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    /** Notices deleted sessions: deletion drops every subscriber before the turn's last event. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-tool-watchdog").daemon().factory());

    private static final JsonNode PARAMETERS = Json.MAPPER
            .createObjectNode()
            .put("type", "object")
            .put("additionalProperties", false)
            .<ObjectNode>set(
                    "properties",
                    Json.MAPPER
                            .createObjectNode()
                            .<ObjectNode>set(
                                    "prompt",
                                    Json.MAPPER
                                            .createObjectNode()
                                            .put("type", "string")
                                            .put("minLength", 1)
                                            .put("description", "The user message the agent answers"))
                            .set(
                                    "sessionId",
                                    Json.MAPPER
                                            .createObjectNode()
                                            .put("type", "string")
                                            .put("pattern", "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
                                            .put(
                                                    "description",
                                                    "Continue this session (created if it does not exist); default: a new session")))
            .set("required", Json.MAPPER.createArrayNode().add("prompt"));

    @Override
    public JsonNode parameters() {
        return PARAMETERS;
    }

    @Override
    public String description() {
        return "Runs one turn of the Thinkloop agent (a reasoning model that can call tools) on the prompt, "
                + "in a new session or the given one, and returns its final answer.";
    }

    @Override
    public boolean enabled() {
        boolean on = offered(mode, mcpToken.filter(t -> !t.isBlank()).isPresent(), authEnabled);
        if (!on) {
            LOG.infof(
                    "the agent tool is not offered at /mcp/ws: set thinkloop.mcp.server.token (or thinkloop.mcp.server.agent-tool=true)");
        } else if (!authEnabled && mcpToken.isEmpty() && LaunchMode.current() == LaunchMode.NORMAL) {
            LOG.warn("the agent tool at /mcp/ws needs no token: anyone who reaches this port can run the agent");
        }
        return on;
    }

    /** The rule of {@code thinkloop.mcp.server.agent-tool}. */
    static boolean offered(String mode, boolean mcpTokenSet, boolean apiAuthEnabled) {
        return switch (mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            case "auto" -> mcpTokenSet || !apiAuthEnabled;
            default ->
                throw new IllegalArgumentException(
                        "thinkloop.mcp.server.agent-tool must be auto, true or false, got " + mode);
        };
    }

    @Override
    public Uni<ToolResult> run(JsonNode arguments, ToolCallContext context) {
        return Uni.createFrom()
                .<ToolResult>emitter(em -> start(arguments, context, em))
                .runSubscriptionOn(virtualThreads);
    }

    private void start(JsonNode arguments, ToolCallContext context, UniEmitter<? super ToolResult> em) {
        String prompt = arguments.path("prompt").asText("");
        JsonNode sid = arguments.get("sessionId");
        Session session;
        try {
            session = sid == null || sid.isNull()
                    ? sessions.create()
                    : sessions.getOrCreate(sid.asText()).session();
        } catch (RuntimeException e) {
            em.complete(ToolResult.error("cannot open the session: " + e.getMessage()));
            return;
        }
        TurnWatch watch = new TurnWatch(session, context, em);
        ScheduledFuture<?> deleted = WATCHDOG.scheduleWithFixedDelay(
                () -> {
                    if (session.deleted()) {
                        watch.abort("the session was deleted");
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        em.onTermination(() -> {
            deleted.cancel(false);
            session.unsubscribe(watch);
            watch.cancelIfRunning();
        });
        session.subscribe(watch, session.lastSeq());
        AgentService.Started started = agent.startTurn(session, prompt);
        if (started.refused() != null) {
            em.complete(ToolResult.error(
                    started.refused().code() + ": " + started.refused().message() + " (session " + session.id() + ")"));
            return;
        }
        watch.follow(started.turnId());
    }

    /**
     * Follows one turn's events (as the session sends them to any client) and turns them into progress and,
     * at the end, the tool's result. Runs under the session's lock: it only counts, appends and notifies.
     */
    static final class TurnWatch extends EventSubscriber {
        private final Session session;
        private final ToolCallContext context;
        private final UniEmitter<? super ToolResult> emitter;
        private final List<JsonNode> early = new ArrayList<>();
        private final StringBuilder answer = new StringBuilder();
        private final Map<String, ObjectNode> calls = new LinkedHashMap<>();
        private final ArrayNode errors = Json.MAPPER.createArrayNode();
        private String turnId;
        private boolean newGeneration;
        private int promptTokens;
        private int completionTokens;
        private int reasoningTokens;
        private double progress;
        private volatile boolean finished;

        TurnWatch(Session session, ToolCallContext context, UniEmitter<? super ToolResult> emitter) {
            super(Integer.MAX_VALUE);
            this.session = session;
            this.context = context;
            this.emitter = emitter;
        }

        @Override
        protected Uni<Void> send(String eventJson) {
            try {
                JsonNode event = Json.MAPPER.readTree(eventJson);
                synchronized (this) {
                    if (turnId == null) {
                        early.add(event); // our turn's first events come before startTurn returns its id
                    } else if (turnId.equals(event.path("turnId").asText(null))) {
                        handle(event);
                    }
                }
            } catch (Exception e) {
                LOG.debugf(e, "agent tool: unreadable event");
            }
            return Uni.createFrom().voidItem();
        }

        @Override
        protected void overflow() {
            // unbounded: send() never waits
        }

        synchronized void follow(String turnId) {
            this.turnId = turnId;
            for (JsonNode e : early) {
                if (turnId.equals(e.path("turnId").asText(null))) {
                    handle(e);
                }
            }
            early.clear();
        }

        /** The MCP request ended before the turn did (cancelled by the caller, or its connection closed). */
        void cancelIfRunning() {
            String id;
            synchronized (this) {
                id = turnId;
            }
            ActiveTurn t = session.activeTurn();
            if (!finished && id != null && t != null && id.equals(t.turnId())) {
                t.cancel("cancelled by the MCP client");
            }
        }

        /** Ends the call with an error when the turn's end can no longer be seen. */
        synchronized void abort(String why) {
            if (!finished) {
                finish("cancelled", 0, why);
            }
        }

        private void progress(String message) {
            progress += 1;
            try {
                context.progress().accept(progress, message);
            } catch (RuntimeException e) {
                LOG.debugf(e, "agent tool: progress not sent");
            }
        }

        private void handle(JsonNode e) {
            if (finished) {
                return;
            }
            switch (e.path("type").asText()) {
                case "turn.started" -> progress("turn started in session " + session.id());
                case "text.delta" -> {
                    if (newGeneration) {
                        answer.setLength(0); // the final answer is the last generation's text
                        newGeneration = false;
                    }
                    answer.append(e.path("text").asText());
                }
                case "tool_call.completed" ->
                    call(e).put("name", e.path("name").asText())
                            .put("arguments", e.path("arguments").asText());
                case "approval.requested" ->
                    progress("waiting for approval of " + e.path("name").asText() + " in session " + session.id());
                case "tool.executing" -> progress("calling " + e.path("name").asText());
                case "tool.result" -> {
                    call(e).put("name", e.path("name").asText())
                            .put("isError", e.path("isError").asBoolean())
                            .put("latencyMs", e.path("latencyMs").asLong());
                    newGeneration = true;
                    progress(e.path("name").asText() + (e.path("isError").asBoolean() ? " failed" : " returned"));
                }
                case "usage" -> {
                    promptTokens += e.path("promptTokens").asInt();
                    completionTokens += e.path("completionTokens").asInt();
                    reasoningTokens += e.path("reasoningTokens").asInt();
                }
                case "error" ->
                    errors.addObject()
                            .put("code", e.path("code").asText())
                            .put("message", e.path("message").asText());
                case "turn.completed" ->
                    finish(e.path("finishReason").asText(), e.path("steps").asInt(), null);
                case "cancelled" -> finish("cancelled", 0, e.path("reason").asText());
                default -> {}
            }
        }

        private ObjectNode call(JsonNode e) {
            return calls.computeIfAbsent(
                    e.path("toolCallId").asText(),
                    id -> Json.MAPPER.createObjectNode().put("id", id));
        }

        private void finish(String finishReason, int steps, String cancelReason) {
            finished = true;
            ObjectNode s = Json.MAPPER
                    .createObjectNode()
                    .put("sessionId", session.id())
                    .put("turnId", turnId)
                    .put("finishReason", finishReason)
                    .put("steps", steps);
            ArrayNode toolCalls = s.putArray("toolCalls");
            calls.values().forEach(toolCalls::add);
            s.putObject("usage")
                    .put("promptTokens", promptTokens)
                    .put("completionTokens", completionTokens)
                    .put("reasoningTokens", reasoningTokens);
            s.set("errors", errors);
            boolean failed = cancelReason != null || finishReason.equals("error") || finishReason.equals("deadline");
            String text = answer.toString();
            if (failed && text.isBlank()) {
                text = cancelReason != null
                        ? "the turn was cancelled: " + cancelReason
                        : errors.isEmpty()
                                ? "the turn ended with " + finishReason
                                : "the turn failed: "
                                        + errors.get(errors.size() - 1)
                                                .path("message")
                                                .asText();
            }
            emitter.complete(new ToolResult(text, s, failed));
        }
    }
}
