package io.thinkloop.codec;

import static io.thinkloop.codec.Dsv32Tokens.ASSISTANT;
import static io.thinkloop.codec.Dsv32Tokens.BOS;
import static io.thinkloop.codec.Dsv32Tokens.DSML;
import static io.thinkloop.codec.Dsv32Tokens.EOS;
import static io.thinkloop.codec.Dsv32Tokens.INVOKE_END;
import static io.thinkloop.codec.Dsv32Tokens.INVOKE_START;
import static io.thinkloop.codec.Dsv32Tokens.PARAM_START;
import static io.thinkloop.codec.Dsv32Tokens.PARAM_STOP;
import static io.thinkloop.codec.Dsv32Tokens.THINK_END;
import static io.thinkloop.codec.Dsv32Tokens.THINK_START;
import static io.thinkloop.codec.Dsv32Tokens.TOOL_CALLS_END;
import static io.thinkloop.codec.Dsv32Tokens.TOOL_CALLS_START;
import static io.thinkloop.codec.Dsv32Tokens.USER;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ChatMessage.Role;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DeepSeek-V3.2 chat format: conversations to prompt text, completions back to messages. Matches the
 * reference encoder published with the model byte for byte ({@code src/test/resources/golden/dsv32-encoding}).
 */
public final class DeepSeekV32Codec {
    private DeepSeekV32Codec() {}

    private static final String TOOLS_TEMPLATE_HEAD = """
            ## Tools
            You have access to a set of tools you can use to answer the user's question.
            You can invoke functions by writing a "<{D}function_calls>" block like the following as part of your reply to the user:
            <{D}function_calls>
            <{D}invoke name="$FUNCTION_NAME">
            <{D}parameter name="$PARAMETER_NAME" string="true|false">$PARAMETER_VALUE</{D}parameter>
            ...
            </{D}invoke>
            <{D}invoke name="$FUNCTION_NAME2">
            ...
            </{D}invoke>
            </{D}function_calls>
            String and scalar parameters should be specified as is without any escaping or quotes, while lists and objects should use JSON format. The "string" attribute should be set to "true" for string type parameters and "false" for other types (numbers, booleans, arrays, objects).
            If the thinking_mode is enabled, then after function results you should strongly consider outputting a thinking block. Here is an example:
            <{D}function_calls>
            ...
            </{D}function_calls>
            <function_results>
            ...
            </function_results>
            <think>...thinking about results</think>
            Here are the functions available in JSONSchema format:
            <functions>
            """.replace("{D}", DSML);
    private static final String TOOLS_TEMPLATE_TAIL = "\n</functions>\n";
    private static final String RESPONSE_FORMAT_HEAD =
            "## Response Format:\n\nYou MUST strictly adhere to the following schema to reply:\n";

    // ================================================================== encoding

    /** The exact prompt for {@code messages}; throws {@link CodecException} for invalid conversations. */
    public static String encode(List<ChatMessage> messages, ThinkingMode mode, boolean dropThinking, boolean addBos) {
        if (messages == null) {
            throw new CodecException("messages must not be null");
        }
        if (mode == null) {
            throw new CodecException("thinking mode must not be null");
        }
        boolean thinking = mode == ThinkingMode.THINKING;
        List<ChatMessage> full = messages;
        if (thinking && dropThinking) {
            full = dropThinking(messages);
        }
        StringBuilder out = new StringBuilder(256 + messages.size() * 128);
        if (addBos) {
            out.append(BOS);
        }
        int lastUser = lastUserIndex(full);
        for (int i = 0; i < messages.size(); i++) {
            renderMessage(out, i, full, lastUser, thinking);
        }
        return out.toString();
    }

    /**
     * Removes reasoning from assistant messages before the last user turn. Like the reference, it keeps only
     * user, system, tool and assistant messages there, so an earlier developer message makes the conversation
     * invalid (the reference then fails on a message index out of range); we say so directly.
     */
    private static List<ChatMessage> dropThinking(List<ChatMessage> messages) {
        int lastUser = lastUserIndex(messages);
        List<ChatMessage> kept = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            Role role = m == null ? null : m.role();
            if (i >= lastUser || role == Role.USER || role == Role.SYSTEM || role == Role.TOOL) {
                kept.add(m);
            } else if (role == Role.ASSISTANT) {
                kept.add(new ChatMessage(
                        Role.ASSISTANT,
                        m.content(),
                        null,
                        m.toolCalls(),
                        m.toolCallId(),
                        m.tools(),
                        m.responseFormat()));
            } else {
                throw new CodecException("message " + i + ": a " + roleName(role)
                        + " message before the last user/developer message is not allowed in thinking mode"
                        + " with drop_thinking (the reference drops it and fails)");
            }
        }
        return kept;
    }

    private static int lastUserIndex(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m != null && (m.role() == Role.USER || m.role() == Role.DEVELOPER)) {
                return i;
            }
        }
        return -1;
    }

    private static String roleName(Role role) {
        return role == null ? "null-role" : role.name().toLowerCase();
    }

    /** Python's str() of an optional string field inside the reference's format() calls. */
    private static String pyStr(String s) {
        return s == null ? "None" : s;
    }

    private static void renderMessage(
            StringBuilder out, int index, List<ChatMessage> msgs, int lastUser, boolean thinking) {
        ChatMessage msg = msgs.get(index);
        if (msg == null || msg.role() == null) {
            throw new CodecException("message " + index + ": missing role");
        }
        switch (msg.role()) {
            case SYSTEM -> {
                out.append(msg.content() == null ? "" : msg.content());
                if (msg.tools() != null && !msg.tools().isEmpty()) {
                    out.append("\n\n");
                    renderTools(out, msg.tools());
                }
                if (truthy(msg.responseFormat())) {
                    out.append("\n\n").append(RESPONSE_FORMAT_HEAD);
                    PyJson.write(out, msg.responseFormat());
                }
            }
            case DEVELOPER -> {
                if (msg.content() == null || msg.content().isEmpty()) {
                    throw new CodecException("message " + index + ": a developer message needs non-empty content");
                }
                out.append(USER);
                if (msg.tools() != null && !msg.tools().isEmpty()) {
                    out.append("\n\n");
                    renderTools(out, msg.tools());
                }
                if (truthy(msg.responseFormat())) {
                    out.append("\n\n").append(RESPONSE_FORMAT_HEAD);
                    PyJson.write(out, msg.responseFormat());
                }
                out.append("\n\n# The user's message is: ").append(msg.content());
                out.append(ASSISTANT);
                out.append(index == lastUser && thinking ? THINK_START : THINK_END);
            }
            case USER -> {
                out.append(USER).append(pyStr(msg.content())).append(ASSISTANT);
                out.append(index == lastUser && thinking ? THINK_START : THINK_END);
            }
            case TOOL -> renderToolResult(out, index, msgs, lastUser, thinking);
            case ASSISTANT -> renderAssistant(out, index, msg, lastUser, thinking);
        }
    }

    /** Python truthiness of a JSON value (None, {}, [], "", 0 and false are false). */
    private static boolean truthy(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return false;
        }
        if (node.isContainerNode()) {
            return !node.isEmpty();
        }
        if (node.isTextual()) {
            return !node.textValue().isEmpty();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0;
        }
        return true;
    }

    private static void renderTools(StringBuilder out, List<ToolSpec> tools) {
        out.append(TOOLS_TEMPLATE_HEAD);
        for (int i = 0; i < tools.size(); i++) {
            ToolSpec t = tools.get(i);
            if (t == null) {
                throw new CodecException("tool " + i + " is null");
            }
            if (i > 0) {
                out.append('\n');
            }
            Map<String, Object> fn = new LinkedHashMap<>();
            fn.put("name", t.name());
            if (t.description() != null) {
                fn.put("description", t.description());
            }
            if (t.parameters() != null) {
                fn.put("parameters", t.parameters());
            }
            PyJson.write(out, fn);
        }
        out.append(TOOLS_TEMPLATE_TAIL);
    }

    private static void renderToolResult(
            StringBuilder out, int index, List<ChatMessage> msgs, int lastUser, boolean thinking) {
        // The reference walks back over earlier tool results to the assistant message that called them.
        // With Python's indexing, index -1 means the last message; we reproduce that to stay byte-exact.
        int prev = index - 1;
        ChatMessage caller = pyGet(msgs, prev);
        while (prev >= 0 && caller.role() == Role.TOOL) {
            prev--;
            caller = pyGet(msgs, prev);
        }
        if (!(index == 0 || (prev >= 0 && caller.role() == Role.ASSISTANT))) {
            throw new CodecException("message " + index + ": a tool result must follow an assistant message with"
                    + " tool calls (found " + roleName(caller.role()) + " at " + prev + ")");
        }
        int order = index - prev;
        List<ToolCall> calls = caller.toolCalls();
        if (calls == null || calls.isEmpty() || calls.size() < order) {
            throw new CodecException("message " + index + ": tool result #" + order + " but the assistant message made "
                    + (calls == null ? 0 : calls.size()) + " tool call(s)");
        }
        if (order == 1) {
            out.append("\n\n<function_results>");
        }
        out.append("\n<result>").append(pyStr(msgs.get(index).content())).append("</result>");
        if (order == calls.size()) {
            out.append("\n</function_results>");
            out.append(index >= lastUser && thinking ? "\n\n" + THINK_START : "\n\n" + THINK_END);
        }
    }

    private static ChatMessage pyGet(List<ChatMessage> msgs, int i) {
        ChatMessage m = msgs.get(i < 0 ? msgs.size() + i : i);
        if (m == null) {
            throw new CodecException("message " + i + " is null");
        }
        return m;
    }

    private static void renderAssistant(StringBuilder out, int index, ChatMessage msg, int lastUser, boolean thinking) {
        List<ToolCall> calls = msg.toolCalls();
        boolean hasCalls = calls != null && !calls.isEmpty();
        if (thinking && index > lastUser) {
            String reasoning = msg.reasoningContent();
            if ((reasoning == null || reasoning.isEmpty()) && !hasCalls) {
                throw new CodecException("message " + index + ": in thinking mode an assistant message after the last"
                        + " user message needs reasoning_content or tool_calls");
            }
            if (reasoning != null) {
                out.append(reasoning);
            }
            out.append(THINK_END);
        }
        if (msg.content() != null) {
            out.append(msg.content());
        }
        if (hasCalls) {
            out.append("\n\n<").append(DSML).append("function_calls>\n");
            for (int c = 0; c < calls.size(); c++) {
                if (c > 0) {
                    out.append('\n');
                }
                renderInvoke(out, index, c, calls.get(c));
            }
            out.append("\n</").append(DSML).append("function_calls>");
        }
        out.append(EOS);
    }

    private static void renderInvoke(StringBuilder out, int index, int c, ToolCall call) {
        if (call == null) {
            throw new CodecException("message " + index + ": tool call " + c + " is null");
        }
        if (call.arguments() == null) {
            throw new CodecException("message " + index + ": tool call " + c + " has no arguments");
        }
        Object args;
        try {
            args = PyJson.loads(call.arguments());
        } catch (CodecException e) {
            throw new CodecException("message " + index + ": tool call " + c + " arguments: " + e.getMessage());
        }
        if (!(args instanceof Map<?, ?> map)) {
            throw new CodecException("message " + index + ": tool call " + c + " arguments must be a JSON object");
        }
        out.append('<')
                .append(DSML)
                .append("invoke name=\"")
                .append(pyStr(call.name()))
                .append("\">\n");
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first) {
                out.append('\n');
            }
            first = false;
            Object v = e.getValue();
            boolean isString = v instanceof String;
            out.append('<')
                    .append(DSML)
                    .append("parameter name=\"")
                    .append(e.getKey())
                    .append("\" string=\"")
                    .append(isString ? "true" : "false")
                    .append("\">");
            if (isString) {
                out.append((String) v);
            } else {
                PyJson.write(out, v);
            }
            out.append("</").append(DSML).append("parameter>");
        }
        out.append("\n</").append(DSML).append("invoke>");
    }

    // ================================================================== parsing

    /** Strict parse of a whole completion, exactly as the reference; throws {@link CodecException} where it errs. */
    public static ParsedMessage parse(String text, ThinkingMode mode) {
        if (text == null || mode == null) {
            throw new CodecException("text and thinking mode must not be null");
        }
        Cursor cur = new Cursor(text);
        String reasoning = "";
        int index = 0;
        if (mode == ThinkingMode.THINKING) {
            Stop s = readUntil(cur, index, THINK_END, TOOL_CALLS_START);
            reasoning = s.content;
            if (!THINK_END.equals(s.stop)) {
                throw new CodecException("invalid thinking format: "
                        + (s.stop == null ? "no </think> ends the reasoning" : "tool calls before </think>"));
            }
            index = s.next;
        }
        Stop s = readUntil(cur, index, EOS, TOOL_CALLS_START);
        String content = s.content;
        index = s.next;
        String stop = s.stop;
        List<ToolCall> calls = List.of();
        if (TOOL_CALLS_START.equals(stop)) {
            calls = new ArrayList<>();
            Stop t = parseToolCalls(cur, index, calls);
            Stop e = readUntil(cur, t.next, EOS);
            if (!e.content.isEmpty()) {
                throw new CodecException("unexpected content after tool calls at offset " + t.next);
            }
            index = e.next;
            stop = e.stop;
        } else if (!EOS.equals(stop)) {
            throw new CodecException("invalid summary format: the completion does not end with " + EOS);
        }
        if (index != text.length() || !(stop == null || EOS.equals(stop))) {
            throw new CodecException("unexpected content at end (offset " + index + ")");
        }
        for (String token : Dsv32Tokens.FORBIDDEN_IN_TEXT) {
            if (content.contains(token) || reasoning.contains(token)) {
                throw new CodecException("unexpected special token " + token + " in content or reasoning");
            }
        }
        return new ParsedMessage(content, reasoning, List.copyOf(calls));
    }

    private record Stop(int next, String content, String stop) {}

    /**
     * The text being parsed and, per stop string, its next occurrence at or after the last search position.
     * The reference searches the rest of the text for every stop on every call (quadratic in the number of
     * tool calls); positions only move forward, so a found occurrence stays valid until the parse passes it.
     */
    private static final class Cursor {
        final String text;
        private final IdentityHashMap<String, int[]> next = new IdentityHashMap<>();

        Cursor(String text) {
            this.text = text;
        }

        int find(String stop, int from) {
            int[] cached = next.computeIfAbsent(stop, k -> new int[] {-2});
            if (cached[0] == -1 || cached[0] >= from) {
                return cached[0];
            }
            cached[0] = text.indexOf(stop, from);
            return cached[0];
        }
    }

    /** The reference's _read_until_stop: the text up to the earliest of {@code stops} (first listed wins ties). */
    private static Stop readUntil(Cursor cur, int from, String... stops) {
        String text = cur.text;
        int min = text.length();
        String matched = null;
        for (String s : stops) {
            int p = cur.find(s, from);
            if (p >= 0 && p < min) {
                min = p;
                matched = s;
            }
        }
        if (matched == null) {
            return new Stop(text.length(), text.substring(from), null);
        }
        return new Stop(min + matched.length(), text.substring(from, min), matched);
    }

    private static Stop parseToolCalls(Cursor cur, int index, List<ToolCall> calls) {
        String text = cur.text;
        String stop = null;
        while (index < text.length()) {
            Stop s = readUntil(cur, index, INVOKE_START, TOOL_CALLS_END);
            if (!s.content.equals(">\n")) {
                throw new CodecException("tool call format error at offset " + index + ": expected \">\\n\"");
            }
            index = s.next;
            stop = s.stop;
            if (TOOL_CALLS_END.equals(stop)) {
                break;
            }
            if (stop == null) {
                throw new CodecException("missing " + INVOKE_START + " or " + TOOL_CALLS_END);
            }
            s = readUntil(cur, index, PARAM_START, INVOKE_END);
            String name = DsmlSyntax.invokeName(s.content);
            if (name == null) {
                throw new CodecException("tool name format error at offset " + index);
            }
            index = s.next;
            stop = s.stop;
            StringBuilder args = new StringBuilder("{");
            Set<String> seen = new HashSet<>();
            while (PARAM_START.equals(stop)) {
                s = readUntil(cur, index, PARAM_STOP);
                DsmlSyntax.Param p = DsmlSyntax.param(s.content);
                if (p == null) {
                    throw new CodecException("parameter format error at offset " + index);
                }
                if (!seen.add(p.name())) {
                    throw new CodecException("duplicate parameter name " + p.name());
                }
                if (seen.size() > 1) {
                    args.append(", ");
                }
                PyJson.quote(args, p.name());
                args.append(": ");
                if (p.isString()) {
                    PyJson.quote(args, p.value());
                } else {
                    args.append(p.value());
                }
                index = s.next;
                s = readUntil(cur, index, PARAM_START, INVOKE_END);
                if (!s.content.equals(">\n")) {
                    throw new CodecException("parameter format error at offset " + index + ": expected \">\\n\"");
                }
                index = s.next;
                stop = s.stop;
            }
            args.append('}');
            calls.add(new ToolCall(null, name, args.toString()));
        }
        return new Stop(index, "", stop);
    }
}
