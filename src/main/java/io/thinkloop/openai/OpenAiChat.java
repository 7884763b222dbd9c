package io.thinkloop.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.codec.PyJson;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The OpenAI chat shape of messages, tool calls and tools, read and written here only: our
 * {@code /v1/chat/completions} reads its requests with it ({@link ChatRequestParser}), the remote backends write
 * theirs with it ({@link ChatRequestBody}), {@link CompletionAssembler} writes the answer's tool calls with it,
 * and the codec's golden cases are read with it.
 *
 * <p>Reading validates, the same for every reader: each problem is an {@link OpenAiError} 400 whose
 * {@code param} names the offending field ({@code messages[2].tool_call_id}). Besides OpenAI's fields a
 * system or developer message may carry {@code tools} and {@code response_format}, as the DeepSeek-V3.2
 * template reads them. Tool-call arguments sent as an object become JSON text in the codec's canonical form.
 */
public final class OpenAiChat {
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private OpenAiChat() {}

    // ---- reading ----

    /** The messages of a non-empty {@code messages} array. */
    public static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw OpenAiError.invalid("messages", "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(message(node.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    static ChatMessage message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw OpenAiError.invalid(where, where + " must be an object");
        }
        String roleName = m.path("role").asText("");
        ChatMessage.Role role = switch (roleName) {
            case "system" -> ChatMessage.Role.SYSTEM;
            case "developer" -> ChatMessage.Role.DEVELOPER;
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            case "tool" -> ChatMessage.Role.TOOL;
            default ->
                throw OpenAiError.invalid(
                        where + ".role",
                        where + ".role must be system, developer, user, assistant or tool (got '" + roleName + "')");
        };
        String content = content(m.get("content"), where + ".content");
        List<ToolCall> calls = null;
        String reasoning = null;
        String toolCallId = null;
        List<ToolSpec> tools = null;
        JsonNode responseFormat = null;
        if (role == ChatMessage.Role.ASSISTANT) {
            calls = toolCalls(m.get("tool_calls"), where + ".tool_calls");
            JsonNode r = m.hasNonNull("reasoning_content") ? m.get("reasoning_content") : m.get("reasoning");
            reasoning = r == null || r.isNull() ? null : r.asText();
            if (content == null && calls == null) {
                content = "";
            }
        } else if (content == null) {
            throw OpenAiError.invalid(where + ".content", where + ".content is required for role " + roleName);
        }
        if (role == ChatMessage.Role.TOOL) {
            toolCallId = m.path("tool_call_id").asText(null);
            if (toolCallId == null || toolCallId.isEmpty()) {
                throw OpenAiError.invalid(
                        where + ".tool_call_id", where + ".tool_call_id is required for tool messages");
            }
        }
        if (role == ChatMessage.Role.SYSTEM || role == ChatMessage.Role.DEVELOPER) {
            JsonNode t = m.get("tools");
            tools = t == null || t.isNull() ? null : tools(t, where + ".tools");
            JsonNode rf = m.get("response_format");
            if (rf != null && !rf.isNull() && !rf.isObject()) {
                throw OpenAiError.invalid(where + ".response_format", where + ".response_format must be an object");
            }
            responseFormat = rf == null || rf.isNull() ? null : rf;
        }
        return new ChatMessage(role, content, reasoning, calls, toolCallId, tools, responseFormat);
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) {
            return null;
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText())
                        || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(
                            where, where + ": only text content parts ({type: text, text}) are supported");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw OpenAiError.invalid(where, where + " must be a string or an array of text parts");
    }

    private static List<ToolCall> toolCalls(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw OpenAiError.invalid(where, where + " must be an array");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            calls.add(toolCall(node.get(i), i, where + "[" + i + "]"));
        }
        return calls.isEmpty() ? null : calls;
    }

    private static ToolCall toolCall(JsonNode call, int index, String where) {
        JsonNode fn = call.path("function");
        String name = fn.path("name").asText("");
        if (name.isEmpty()) {
            throw OpenAiError.invalid(where + ".function.name", "tool call without a function name");
        }
        JsonNode args = fn.get("arguments");
        String arguments;
        if (args == null || args.isNull()) {
            arguments = "{}";
        } else if (args.isTextual()) {
            arguments = args.asText();
            try {
                if (!Json.MAPPER
                        .readTree(arguments.isBlank() ? "{}" : arguments)
                        .isObject()) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception e) {
                throw OpenAiError.invalid(
                        where + ".function.arguments", "arguments must be the JSON text of an object");
            }
        } else if (args.isObject()) {
            arguments = PyJson.dumps(args);
        } else {
            throw OpenAiError.invalid(where + ".function.arguments", "arguments must be the JSON text of an object");
        }
        return new ToolCall(call.path("id").asText("call_" + index), name, arguments);
    }

    /** The tools of a {@code tools} array ({@code [{type: function, function: {name, description?, parameters?}}]}). */
    public static List<ToolSpec> tools(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw OpenAiError.invalid(where, "'" + where + "' must be an array");
        }
        List<ToolSpec> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(tool(node.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private static ToolSpec tool(JsonNode t, String where) {
        if (!"function".equals(t.path("type").asText("function"))) {
            throw OpenAiError.invalid(where + ".type", "only function tools are supported");
        }
        JsonNode fn = t.path("function");
        String name = fn.path("name").asText("");
        if (!TOOL_NAME.matcher(name).matches()) {
            throw OpenAiError.invalid(
                    where + ".function.name",
                    "tool names are 1-64 letters, digits, '_', '-', '.' or ':' (got '" + name + "')");
        }
        JsonNode params = fn.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw OpenAiError.invalid(where + ".function.parameters", "parameters must be a JSON Schema object");
        }
        if (params == null || params.isNull()) {
            params = emptyParameters();
        }
        String description =
                fn.hasNonNull("description") ? fn.get("description").asText() : null;
        return new ToolSpec(name, description, params);
    }

    private static ObjectNode emptyParameters() {
        return Json.MAPPER.createObjectNode().put("type", "object").set("properties", Json.MAPPER.createObjectNode());
    }

    // ---- writing ----

    /**
     * One message as a chat request sends it: {@code content} always ({@code null} only for an assistant message
     * that only calls tools), {@code reasoning_content} of an assistant message when {@code withReasoning}
     * ({@code ""} when it has none), its {@code tool_calls}, a tool message's {@code tool_call_id}. The tools of a
     * system message go in the request's {@code tools}, not here.
     */
    public static ObjectNode messageJson(ChatMessage m, boolean withReasoning) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("role", roleName(m.role()));
        boolean hasCalls = m.toolCalls() != null && !m.toolCalls().isEmpty();
        if (m.content() != null || m.role() != ChatMessage.Role.ASSISTANT || !hasCalls) {
            node.put("content", m.content() == null ? "" : m.content());
        } else {
            node.putNull("content");
        }
        if (m.role() == ChatMessage.Role.ASSISTANT) {
            if (withReasoning) {
                node.put("reasoning_content", m.reasoningContent() == null ? "" : m.reasoningContent());
            }
            if (hasCalls) {
                ArrayNode calls = node.putArray("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    calls.add(toolCallJson(call));
                }
            }
        }
        if (m.toolCallId() != null) {
            node.put("tool_call_id", m.toolCallId());
        }
        return node;
    }

    /** {@code {id, type: function, function: {name, arguments}}}; no {@code id} when the call has none. */
    public static ObjectNode toolCallJson(ToolCall call) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        if (call.id() != null) {
            c.put("id", call.id());
        }
        c.put("type", "function");
        c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        return c;
    }

    /** {@code {type: function, function: {name, description?, parameters}}}; no parameters is an empty object schema. */
    public static ObjectNode toolJson(ToolSpec tool) {
        ObjectNode t = Json.MAPPER.createObjectNode().put("type", "function");
        ObjectNode fn = t.putObject("function");
        fn.put("name", tool.name());
        if (tool.description() != null) {
            fn.put("description", tool.description());
        }
        fn.set("parameters", tool.parameters() != null ? tool.parameters() : emptyParameters());
        return t;
    }

    public static String roleName(ChatMessage.Role role) {
        return switch (role) {
            case SYSTEM -> "system";
            case DEVELOPER -> "developer";
            case USER -> "user";
            case ASSISTANT -> "assistant";
            case TOOL -> "tool";
        };
    }

    /** The reference's parse result shape: {@code {role, content, reasoning_content, tool_calls}}, calls without ids. */
    public static ObjectNode toJson(ParsedMessage m) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("role", "assistant");
        out.put("content", m.content());
        out.put("reasoning_content", m.reasoningContent());
        ArrayNode calls = out.putArray("tool_calls");
        for (ToolCall c : m.toolCalls()) {
            calls.add(toolCallJson(new ToolCall(null, c.name(), c.arguments())));
        }
        return out;
    }
}
