package io.thinkloop.openai;

import io.thinkloop.codec.CodecException;
import io.thinkloop.codec.PyJson;
import io.thinkloop.model.ParsedMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts between the OpenAI chat JSON shape ({@code tool_calls[].function.arguments} as a string or an
 * object, {@code tools[].function}) and the model records the codec works on.
 */
public final class OpenAiChat {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpenAiChat() {
    }

    /** Messages from an OpenAI-style JSON array; throws {@link CodecException} naming the bad field. */
    public static List<ChatMessage> messages(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new CodecException("messages must be a JSON array");
        }
        List<ChatMessage> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(message(array.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    static ChatMessage message(JsonNode m, String where) {
        if (m == null || !m.isObject()) {
            throw new CodecException(where + " must be a JSON object");
        }
        ChatMessage.Role role;
        String roleText = text(m, "role", where);
        try {
            role = roleText == null ? null : ChatMessage.Role.valueOf(roleText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CodecException(where + ": unknown role '" + roleText + "'");
        }
        List<ToolCall> calls = null;
        JsonNode tc = m.get("tool_calls");
        if (tc != null && !tc.isNull()) {
            if (!tc.isArray()) {
                throw new CodecException(where + ".tool_calls must be an array");
            }
            calls = new ArrayList<>();
            for (int i = 0; i < tc.size(); i++) {
                calls.add(toolCall(tc.get(i), where + ".tool_calls[" + i + "]"));
            }
        }
        List<ToolSpec> tools = null;
        JsonNode ts = m.get("tools");
        if (ts != null && !ts.isNull()) {
            if (!ts.isArray()) {
                throw new CodecException(where + ".tools must be an array");
            }
            tools = new ArrayList<>();
            for (int i = 0; i < ts.size(); i++) {
                tools.add(toolSpec(ts.get(i), where + ".tools[" + i + "]"));
            }
        }
        JsonNode rf = m.get("response_format");
        return new ChatMessage(role, text(m, "content", where), text(m, "reasoning_content", where), calls,
                text(m, "tool_call_id", where), tools, rf == null || rf.isNull() ? null : rf);
    }

    /** A tool call from {@code {"id", "type", "function": {"name", "arguments"}}}; object arguments become JSON text. */
    public static ToolCall toolCall(JsonNode c, String where) {
        if (c == null || !c.isObject()) {
            throw new CodecException(where + " must be a JSON object");
        }
        JsonNode fn = c.has("function") ? c.get("function") : c;
        String name = text(fn, "name", where + ".function");
        JsonNode args = fn.get("arguments");
        String argText;
        if (args == null || args.isNull()) {
            argText = null;
        } else if (args.isTextual()) {
            argText = args.textValue();
        } else {
            argText = PyJson.dumps(args);
        }
        return new ToolCall(text(c, "id", where), name, argText);
    }

    /** A tool from {@code {"type": "function", "function": {"name", "description", "parameters"}}} (or the bare function). */
    public static ToolSpec toolSpec(JsonNode t, String where) {
        if (t == null || !t.isObject()) {
            throw new CodecException(where + " must be a JSON object");
        }
        JsonNode fn = t.has("function") ? t.get("function") : t;
        JsonNode params = fn.get("parameters");
        return new ToolSpec(text(fn, "name", where), text(fn, "description", where),
                params == null || params.isNull() ? null : params);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new CodecException(where + "." + field + " must be a string");
        }
        return v.textValue();
    }

    /** The reference's parse result shape: {@code {role, content, reasoning_content, tool_calls}}. */
    public static ObjectNode toJson(ParsedMessage m) {
        ObjectNode out = NODES.objectNode();
        out.put("role", "assistant");
        out.put("content", m.content());
        out.put("reasoning_content", m.reasoningContent());
        ArrayNode calls = out.putArray("tool_calls");
        for (ToolCall c : m.toolCalls()) {
            ObjectNode call = calls.addObject();
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", c.name());
            fn.put("arguments", c.arguments());
        }
        return out;
    }
}
