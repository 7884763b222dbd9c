package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.ClientRequestHandler;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.ChatRequestParser;
import io.thinkloop.openai.CompletionAssembler;
import io.thinkloop.session.PendingQuestions;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.thinkloop.tools.ToolCallContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Answers what the configured MCP servers ask of the agent's client:
 * <ul>
 *   <li>{@code roots/list} from {@code thinkloop.mcp.roots} (folders, or {@code file://} URIs as MCP requires; no
 *       roots configured: no capability).
 *   <li>{@code sampling/createMessage} by the service's model backend, under the rule
 *       {@code thinkloop.mcp.sampling.approval}: {@code ask} (default) shows the request to the session's user as
 *       an {@code approval.requested} (id {@code sampling_…}, name {@code SERVER:sampling/createMessage}) and runs
 *       it only once approved, {@code auto} runs it, {@code deny} refuses it (the capability is then not offered).
 *       A server's sampling costs the user model time and can steer the conversation's model, so it is asked for
 *       like a tool call by default.
 *   <li>{@code elicitation/create} by asking the session's client: an {@code elicitation.requested} event, answered
 *       by the client message {@code elicitation.respond} (or REST); off with {@code thinkloop.mcp.elicitation=false}.
 * </ul>
 * The session is the one whose tool call was running when the server asked; a request outside any tool call has
 * no user to ask and is refused (sampling under {@code auto} still runs).
 */
@ApplicationScoped
public class McpClientRequests {
    private static final Logger LOG = Logger.getLogger(McpClientRequests.class);
    /** JSON-RPC code MCP uses for "the user rejected the request". */
    static final int USER_REJECTED = -1;

    @Inject
    SessionManager sessions;

    @Inject
    BackendSelector backends;

    @ConfigProperty(name = "thinkloop.mcp.roots")
    Optional<List<String>> roots;

    @ConfigProperty(name = "thinkloop.mcp.sampling.approval", defaultValue = "ask")
    String samplingApproval;

    @ConfigProperty(name = "thinkloop.mcp.sampling.max-tokens", defaultValue = "1024")
    int samplingMaxTokens;

    @ConfigProperty(name = "thinkloop.mcp.elicitation", defaultValue = "true")
    boolean elicitation;

    /** The handler for one configured server (its name shows in approvals and elicitations). */
    public ClientRequestHandler handlerFor(String server) {
        return new ClientRequestHandler() {
            @Override
            public List<JsonNode> roots() {
                return configuredRoots();
            }

            @Override
            public boolean samples() {
                return !"deny".equals(rule());
            }

            @Override
            public Uni<JsonNode> createMessage(JsonNode params, ToolCallContext caller) {
                return sample(server, params, caller);
            }

            @Override
            public boolean elicits() {
                return elicitation;
            }

            @Override
            public Uni<JsonNode> elicit(JsonNode params, ToolCallContext caller) {
                return ask(server, params, caller);
            }
        };
    }

    private String rule() {
        return samplingApproval == null ? "ask" : samplingApproval.trim().toLowerCase(Locale.ROOT);
    }

    List<JsonNode> configuredRoots() {
        if (roots.isEmpty() || roots.get().isEmpty()) {
            return null;
        }
        List<JsonNode> out = new ArrayList<>();
        for (String r : roots.get()) {
            if (r.isBlank()) {
                continue;
            }
            String uri = r.matches("(?i)[a-z][a-z0-9+.-]*:.*")
                    ? r
                    : Path.of(r).toAbsolutePath().normalize().toUri().toString();
            if (!uri.startsWith("file://")) {
                LOG.warnf("thinkloop.mcp.roots: %s is not a folder or file:// URI (MCP roots are); skipped", r);
                continue;
            }
            String path = URI.create(uri).getPath();
            String name = path == null || path.isEmpty() || path.equals("/")
                    ? uri
                    : path.replaceAll("/+$", "")
                            .substring(path.replaceAll("/+$", "").lastIndexOf('/') + 1);
            out.add(Json.MAPPER.createObjectNode().put("uri", uri).put("name", name));
        }
        return out;
    }

    private Optional<Session> sessionOf(ToolCallContext caller) {
        return caller == null || caller.sessionId() == null ? Optional.empty() : sessions.find(caller.sessionId());
    }

    Uni<JsonNode> sample(String server, JsonNode params, ToolCallContext caller) {
        String rule = rule();
        if ("deny".equals(rule)) {
            return Uni.createFrom().failure(new McpException(USER_REJECTED, "sampling is not allowed here"));
        }
        if ("auto".equals(rule)) {
            return generate(params);
        }
        Optional<Session> session = sessionOf(caller);
        if (session.isEmpty()) {
            return Uni.createFrom()
                    .failure(new McpException(
                            USER_REJECTED, "sampling needs a user's approval and no agent session is waiting on it"));
        }
        Session s = session.get();
        String id = "sampling_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return Uni.createFrom()
                .deferred(() -> {
                    CompletableFuture<PendingQuestions.Decision> decision =
                            s.questions().awaitApproval(id);
                    s.emit(
                            caller.turnId(),
                            new ServerEvent.ApprovalRequested(
                                    id, server + ":sampling/createMessage", params.toString()));
                    return Uni.createFrom().completionStage(decision);
                })
                .onTermination()
                .invoke(() -> s.questions().forget(id))
                .flatMap(d -> d.approved()
                        ? generate(params)
                        : Uni.createFrom()
                                .failure(new McpException(
                                        USER_REJECTED,
                                        "denied by user"
                                                + (d.reason() == null
                                                                || d.reason().isBlank()
                                                        ? ""
                                                        : ": " + d.reason()))));
    }

    /** Runs the request through the model backend: its messages as the conversation, text out. */
    Uni<JsonNode> generate(JsonNode params) {
        ModelBackend backend = backends.selected().orElse(null);
        if (backend == null) {
            return Uni.createFrom()
                    .failure(new McpException(
                            JsonRpcError.INTERNAL_ERROR, "no model backend is available for sampling"));
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (params.path("systemPrompt").isTextual()) {
            messages.add(ChatMessage.system(params.get("systemPrompt").textValue()));
        }
        for (JsonNode m : params.path("messages")) {
            String text = text(m.path("content"));
            messages.add(
                    "assistant".equals(m.path("role").asText())
                            ? ChatMessage.assistant(text, null, List.of())
                            : ChatMessage.user(text));
        }
        if (messages.stream().noneMatch(m -> m.role() == ChatMessage.Role.USER)) {
            return Uni.createFrom()
                    .failure(new McpException(JsonRpcError.INVALID_PARAMS, "sampling needs at least one user message"));
        }
        int asked = params.path("maxTokens").asInt(samplingMaxTokens);
        int maxTokens = Math.max(1, Math.min(asked <= 0 ? samplingMaxTokens : asked, samplingMaxTokens));
        double temperature = Math.max(0, Math.min(2, params.path("temperature").asDouble(0)));
        List<String> stop = new ArrayList<>();
        params.path("stopSequences").forEach(n -> stop.add(n.asText()));
        CompletionRequest.Sampling sampling =
                new CompletionRequest.Sampling(maxTokens, temperature, 1.0, 0, null, stop);
        String prompt;
        try {
            prompt = ChatRequestParser.encode(messages, List.of(), ThinkingMode.CHAT);
        } catch (RuntimeException e) {
            prompt = null; // a chat backend takes the messages; text backends fail on their own
        }
        CompletionRequest request = new CompletionRequest(messages, List.of(), ThinkingMode.CHAT, prompt, sampling);
        CompletionAssembler assembler = new CompletionAssembler(backend.id(), ThinkingMode.CHAT, List.of());
        return backend.stream(request)
                .onItem()
                .invoke(assembler::accept)
                .collect()
                .last()
                .map(last -> {
                    assembler.finish();
                    JsonNode choice = assembler.completion().path("choices").path(0);
                    ObjectNode result = Json.MAPPER.createObjectNode().put("role", "assistant");
                    result.putObject("content")
                            .put("type", "text")
                            .put("text", choice.path("message").path("content").asText(""));
                    result.put("model", backend.id());
                    result.put(
                            "stopReason",
                            "length".equals(choice.path("finish_reason").asText()) ? "maxTokens" : "endTurn");
                    return (JsonNode) result;
                });
    }

    /** The text of a sampling message's content (one block or an array); other media as a note. */
    private static String text(JsonNode content) {
        if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            content.forEach(c -> b.append(b.isEmpty() ? "" : "\n").append(text(c)));
            return b.toString();
        }
        if ("text".equals(content.path("type").asText())) {
            return content.path("text").asText("");
        }
        return "[" + content.path("type").asText("content") + " "
                + content.path("mimeType").asText("") + "]";
    }

    Uni<JsonNode> ask(String server, JsonNode params, ToolCallContext caller) {
        Optional<Session> session = sessionOf(caller);
        if (session.isEmpty()) {
            ObjectNode declined = Json.MAPPER.createObjectNode().put("action", "decline");
            return Uni.createFrom().item(declined);
        }
        Session s = session.get();
        String id = "elicit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String mode = params.path("mode").asText("form");
        return Uni.createFrom()
                .deferred(() -> {
                    CompletableFuture<PendingQuestions.ElicitationAnswer> answer =
                            s.questions().awaitElicitation(id);
                    s.emit(
                            caller.turnId(),
                            new ServerEvent.ElicitationRequested(
                                    id,
                                    server,
                                    caller.toolCallId(),
                                    mode,
                                    params.path("message").asText(""),
                                    params.get("requestedSchema"),
                                    params.path("url").isTextual()
                                            ? params.get("url").textValue()
                                            : null));
                    return Uni.createFrom().completionStage(answer);
                })
                .onTermination()
                .invoke(() -> s.questions().forget(id))
                .map(a -> {
                    ObjectNode result = Json.MAPPER.createObjectNode().put("action", a.action());
                    if ("accept".equals(a.action()) && a.content() != null && "form".equals(mode)) {
                        result.set("content", a.content());
                    }
                    return (JsonNode) result;
                });
    }
}
