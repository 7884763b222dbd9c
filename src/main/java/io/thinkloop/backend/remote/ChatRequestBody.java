package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON body of a streamed {@code /v1/chat/completions} request for a {@link CompletionRequest}.
 *
 * <p>Reasoning follows DeepSeek's thinking-in-tool-use rule: assistant messages after the last user (or
 * developer) message — the current turn's tool loop — carry their {@code reasoning_content} back, and
 * those with tool calls always carry the field ({@code ""} when empty; the DeepSeek API answers 400
 * without it). Reasoning of earlier turns is dropped, as the model was trained.
 */
public final class ChatRequestBody {
    private ChatRequestBody() {
    }

    public static ObjectNode build(RemoteConfig config, CompletionRequest request) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", config.model());
        ArrayNode messages = body.putArray("messages");
        List<ChatMessage> list = request.messages();
        int lastUser = -1;
        for (int i = 0; i < list.size(); i++) {
            ChatMessage.Role role = list.get(i).role();
            if (role == ChatMessage.Role.USER || role == ChatMessage.Role.DEVELOPER) {
                lastUser = i;
            }
        }
        List<ToolSpec> tools = new ArrayList<>(request.tools() == null ? List.of() : request.tools());
        for (int i = 0; i < list.size(); i++) {
            ChatMessage m = list.get(i);
            if (tools.isEmpty() && m.tools() != null) {
                tools.addAll(m.tools());
            }
            if (m.responseFormat() != null && !m.responseFormat().isNull() && !body.has("response_format")) {
                body.set("response_format", m.responseFormat()); // passed through: the server enforces it
            }
            messages.add(message(m, i > lastUser));
        }
        if (!tools.isEmpty()) {
            ArrayNode array = body.putArray("tools");
            for (ToolSpec tool : tools) {
                ObjectNode fn = array.addObject().put("type", "function").putObject("function");
                fn.put("name", tool.name());
                if (tool.description() != null) {
                    fn.put("description", tool.description());
                }
                fn.set("parameters", tool.parameters() != null ? tool.parameters()
                        : Json.MAPPER.createObjectNode().put("type", "object").set("properties", Json.MAPPER.createObjectNode()));
            }
        }
        ThinkingMode mode = request.thinking() == null ? ThinkingMode.THINKING : request.thinking();
        config.provider().addThinking(body, mode);
        putSampling(body, request.sampling(), config.provider());
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }

    private static ObjectNode message(ChatMessage m, boolean currentTurn) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("role", roleName(m.role()));
        boolean hasCalls = m.toolCalls() != null && !m.toolCalls().isEmpty();
        if (m.content() != null || m.role() != ChatMessage.Role.ASSISTANT || !hasCalls) {
            node.put("content", m.content() == null ? "" : m.content());
        } else {
            node.putNull("content");
        }
        if (m.role() == ChatMessage.Role.ASSISTANT) {
            if (currentTurn && (hasCalls || m.reasoningContent() != null)) {
                node.put("reasoning_content", m.reasoningContent() == null ? "" : m.reasoningContent());
            }
            if (hasCalls) {
                ArrayNode calls = node.putArray("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    ObjectNode c = calls.addObject();
                    c.put("id", call.id());
                    c.put("type", "function");
                    c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                }
            }
        }
        if (m.toolCallId() != null) {
            node.put("tool_call_id", m.toolCallId());
        }
        return node;
    }

    private static String roleName(ChatMessage.Role role) {
        return switch (role) {
            case SYSTEM -> "system";
            case DEVELOPER -> "developer";
            case USER -> "user";
            case ASSISTANT -> "assistant";
            case TOOL -> "tool";
        };
    }

    /** The OpenAI sampling fields of {@code s} (both remote endpoints take the same ones). */
    static void putSampling(ObjectNode body, CompletionRequest.Sampling s, Provider provider) {
        if (s == null) {
            return;
        }
        if (s.maxTokens() > 0) {
            body.put("max_tokens", s.maxTokens());
        }
        body.put("temperature", s.temperature());
        body.put("top_p", s.topP());
        if (s.topK() > 0 && provider.takesTopK()) {
            body.put("top_k", s.topK());
        }
        if (s.seed() != null) {
            body.put("seed", s.seed());
        }
        if (s.stop() != null && !s.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            s.stop().forEach(stop::add);
        }
    }
}
