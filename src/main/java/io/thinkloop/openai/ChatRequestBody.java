package io.thinkloop.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON body of a streamed {@code /v1/chat/completions} request for a {@link CompletionRequest}, as the remote
 * backends send it (the server-specific thinking switch is theirs to add).
 *
 * <p>Reasoning follows DeepSeek's thinking-in-tool-use rule: assistant messages after the last user (or
 * developer) message — the current turn's tool loop — carry their {@code reasoning_content} back, and
 * those with tool calls always carry the field ({@code ""} when empty; the DeepSeek API answers 400
 * without it). Reasoning of earlier turns is dropped, as the model was trained.
 */
public final class ChatRequestBody {
    private ChatRequestBody() {}

    /**
     * @param model what the server calls the model
     * @param topK  whether the server takes {@code top_k} (an extension of vLLM and SGLang)
     */
    public static ObjectNode build(String model, CompletionRequest request, boolean topK) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
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
            boolean hasCalls = m.toolCalls() != null && !m.toolCalls().isEmpty();
            boolean currentTurn = i > lastUser;
            messages.add(OpenAiChat.messageJson(m, currentTurn && (hasCalls || m.reasoningContent() != null)));
        }
        if (!tools.isEmpty()) {
            ArrayNode array = body.putArray("tools");
            for (ToolSpec tool : tools) {
                array.add(OpenAiChat.toolJson(tool));
            }
        }
        putSampling(body, request.sampling(), topK);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }

    /** The OpenAI sampling fields of {@code s} (the chat and the completions endpoint take the same ones). */
    public static void putSampling(ObjectNode body, CompletionRequest.Sampling s, boolean topK) {
        if (s == null) {
            return;
        }
        if (s.maxTokens() > 0) {
            body.put("max_tokens", s.maxTokens());
        }
        body.put("temperature", s.temperature());
        body.put("top_p", s.topP());
        if (s.topK() > 0 && topK) {
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
