package io.thinkloop.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.CodecException;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates an OpenAI chat-completions body and turns it into a {@link ChatCall}; every problem is an
 * {@link OpenAiError} 400 naming the offending parameter.
 *
 * <p>Thinking is switched like DeepSeek's API ({@code thinking: {type: enabled|disabled}}), like vLLM/SGLang
 * ({@code chat_template_kwargs: {thinking: bool}}) or by {@code reasoning_effort} ({@code none} = off);
 * the default is on. {@code tool_choice}: {@code none} hides the tools, a named function offers only that
 * one, {@code auto} and {@code required} offer all (the model is not forced to call).
 */
public final class ChatRequestParser {
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private ChatRequestParser() {
    }

    public static ChatCall parse(JsonNode body, String backendId, int defaultMaxTokens) {
        return parse(body, backendId, defaultMaxTokens, ThinkingMode.THINKING);
    }

    /**
     * As {@link #parse(JsonNode, String, int)}, with the thinking mode the requested model id stands for
     * ({@code X} chat, {@code X-reasoner} thinking, as DeepSeek's ids); the request's own switches win. A
     * {@code response_format} other than {@code text} rides on the system message (as the DeepSeek-V3.2
     * template carries it).
     */
    public static ChatCall parse(JsonNode body, String backendId, int defaultMaxTokens, ThinkingMode defaultThinking) {
        if (body == null || !body.isObject()) {
            throw OpenAiError.invalid(null, "the request body must be a JSON object");
        }
        String model = body.path("model").isTextual() ? body.get("model").asText() : null;
        if (model == null || model.isBlank()) {
            throw OpenAiError.invalid("model", "'model' is required (one of GET /v1/models)");
        }
        if (body.hasNonNull("n") && body.get("n").asInt(-1) != 1) {
            throw OpenAiError.invalid("n", "only n = 1 is supported");
        }
        List<ToolSpec> tools = tools(body.get("tools"));
        tools = applyToolChoice(body.get("tool_choice"), tools);
        List<ChatMessage> messages = withResponseFormat(messages(body.get("messages")), responseFormat(body));
        ThinkingMode mode = thinking(body, defaultThinking);
        CompletionRequest.Sampling sampling = sampling(body, defaultMaxTokens);
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        String prompt = encode(messages, tools, mode);
        return new ChatCall(model, backendId, new CompletionRequest(messages, tools, mode, prompt, sampling), stream, includeUsage);
    }

    /** The codec's prompt, with the tools declared in the system message as the template expects. */
    public static String encode(List<ChatMessage> messages, List<ToolSpec> tools, ThinkingMode mode) {
        List<ChatMessage> withTools = new ArrayList<>(messages);
        if (!tools.isEmpty()) {
            ChatMessage first = withTools.isEmpty() ? null : withTools.get(0);
            if (first != null && first.role() == ChatMessage.Role.SYSTEM) {
                withTools.set(0, new ChatMessage(first.role(), first.content(), null, null, null, tools, first.responseFormat()));
            } else {
                withTools.add(0, ChatMessage.system("", tools));
            }
        }
        try {
            return DeepSeekV32Codec.encode(withTools, mode, true, true);
        } catch (CodecException e) {
            throw OpenAiError.invalid("messages", "the conversation cannot be encoded: " + e.getMessage());
        } catch (UnsupportedOperationException codecNotAvailable) {
            // Chat backends do not need the prompt; text backends report its absence themselves.
            return null;
        }
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw OpenAiError.invalid("messages", "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
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
                default -> throw OpenAiError.invalid(where + ".role",
                        where + ".role must be system, developer, user, assistant or tool (got '" + roleName + "')");
            };
            String content = content(m.get("content"), where + ".content");
            List<ToolCall> calls = null;
            String reasoning = null;
            String toolCallId = null;
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
                    throw OpenAiError.invalid(where + ".tool_call_id", where + ".tool_call_id is required for tool messages");
                }
            }
            out.add(new ChatMessage(role, content, reasoning, calls, toolCallId, null, null));
        }
        return out;
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
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(where, where + ": only text content parts ({type: text, text}) are supported");
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
            JsonNode call = node.get(i);
            JsonNode fn = call.path("function");
            String name = fn.path("name").asText("");
            if (name.isEmpty()) {
                throw OpenAiError.invalid(where + "[" + i + "].function.name", "tool call without a function name");
            }
            JsonNode args = fn.get("arguments");
            String arguments;
            if (args == null || args.isNull()) {
                arguments = "{}";
            } else if (args.isTextual()) {
                arguments = args.asText();
                try {
                    if (!Json.MAPPER.readTree(arguments.isBlank() ? "{}" : arguments).isObject()) {
                        throw new IllegalArgumentException();
                    }
                } catch (Exception e) {
                    throw OpenAiError.invalid(where + "[" + i + "].function.arguments", "arguments must be the JSON text of an object");
                }
            } else if (args.isObject()) {
                arguments = args.toString();
            } else {
                throw OpenAiError.invalid(where + "[" + i + "].function.arguments", "arguments must be the JSON text of an object");
            }
            String id = call.path("id").asText("call_" + i);
            calls.add(new ToolCall(id, name, arguments));
        }
        return calls.isEmpty() ? null : calls;
    }

    private static List<ToolSpec> tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw OpenAiError.invalid("tools", "'tools' must be an array");
        }
        List<ToolSpec> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String where = "tools[" + i + "]";
            if (!"function".equals(t.path("type").asText("function"))) {
                throw OpenAiError.invalid(where + ".type", "only function tools are supported");
            }
            JsonNode fn = t.path("function");
            String name = fn.path("name").asText("");
            if (!TOOL_NAME.matcher(name).matches()) {
                throw OpenAiError.invalid(where + ".function.name", "tool names are 1-64 letters, digits, '_', '-', '.' or ':' (got '" + name + "')");
            }
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw OpenAiError.invalid(where + ".function.parameters", "parameters must be a JSON Schema object");
            }
            if (params == null || params.isNull()) {
                params = Json.MAPPER.createObjectNode().put("type", "object").set("properties", Json.MAPPER.createObjectNode());
            }
            String description = fn.hasNonNull("description") ? fn.get("description").asText() : null;
            out.add(new ToolSpec(name, description, params));
        }
        return out;
    }

    private static List<ToolSpec> applyToolChoice(JsonNode choice, List<ToolSpec> tools) {
        if (choice == null || choice.isNull()) {
            return tools;
        }
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> List.of();
                case "auto" -> tools;
                case "required" -> {
                    if (tools.isEmpty()) {
                        throw OpenAiError.invalid("tool_choice", "tool_choice 'required' needs tools");
                    }
                    yield tools;
                }
                default -> throw OpenAiError.invalid("tool_choice", "tool_choice must be none, auto, required or {type: function, function: {name}}");
            };
        }
        String name = choice.path("function").path("name").asText("");
        List<ToolSpec> named = tools.stream().filter(t -> t.name().equals(name)).toList();
        if (named.isEmpty()) {
            throw OpenAiError.invalid("tool_choice", "tool_choice names '" + name + "', which is not among the tools");
        }
        return named;
    }

    /**
     * The request's {@code response_format} when it asks for JSON ({@code json_object}, or {@code json_schema}
     * with {@code json_schema.schema} an object), null for none or {@code text}; any other shape is a 400.
     */
    public static JsonNode responseFormat(JsonNode body) {
        JsonNode rf = body == null ? null : body.get("response_format");
        if (rf == null || rf.isNull()) {
            return null;
        }
        if (!rf.isObject() || !rf.path("type").isTextual()) {
            throw OpenAiError.invalid("response_format", "response_format must be an object with a type: text, json_object or json_schema");
        }
        return switch (rf.get("type").asText()) {
            case "text" -> null;
            case "json_object" -> rf;
            case "json_schema" -> {
                JsonNode js = rf.path("json_schema");
                if (!js.isObject() || !js.path("name").isTextual() || (js.has("schema") && !js.get("schema").isObject())) {
                    throw OpenAiError.invalid("response_format.json_schema",
                            "response_format.json_schema must be {name, schema (a JSON Schema object), strict?}");
                }
                yield rf;
            }
            default -> throw OpenAiError.invalid("response_format.type", "response_format.type must be text, json_object or "
                    + "json_schema (got '" + rf.get("type").asText() + "')");
        };
    }

    private static List<ChatMessage> withResponseFormat(List<ChatMessage> messages, JsonNode format) {
        if (format == null) {
            return messages;
        }
        List<ChatMessage> out = new ArrayList<>(messages);
        ChatMessage first = out.getFirst();
        if (first.role() == ChatMessage.Role.SYSTEM) {
            out.set(0, new ChatMessage(first.role(), first.content(), null, null, null, first.tools(), format));
        } else {
            out.add(0, new ChatMessage(ChatMessage.Role.SYSTEM, "", null, null, null, null, format));
        }
        return out;
    }

    private static ThinkingMode thinking(JsonNode body, ThinkingMode defaultThinking) {
        JsonNode t = body.get("thinking");
        if (t != null && !t.isNull()) {
            String type = t.isObject() ? t.path("type").asText("") : t.asText("");
            return switch (type.toLowerCase(Locale.ROOT)) {
                case "enabled", "true" -> ThinkingMode.THINKING;
                case "disabled", "false" -> ThinkingMode.CHAT;
                default -> throw OpenAiError.invalid("thinking", "thinking.type must be enabled or disabled");
            };
        }
        JsonNode kw = body.path("chat_template_kwargs").get("thinking");
        if (kw != null && kw.isBoolean()) {
            return kw.asBoolean() ? ThinkingMode.THINKING : ThinkingMode.CHAT;
        }
        JsonNode effort = body.get("reasoning_effort");
        if (effort != null && effort.isTextual()) {
            return effort.asText().equals("none") ? ThinkingMode.CHAT : ThinkingMode.THINKING;
        }
        return defaultThinking;
    }

    private static CompletionRequest.Sampling sampling(JsonNode body, int defaultMaxTokens) {
        int maxTokens = defaultMaxTokens;
        for (String key : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode v = body.get(key);
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                    throw OpenAiError.invalid(key, key + " must be a positive integer");
                }
                maxTokens = v.asInt();
            }
        }
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, 0, 1);
        if (body.hasNonNull("top_p") && topP == 0) {
            throw OpenAiError.invalid("top_p", "top_p must be in (0, 1]");
        }
        int topK = 0;
        if (body.hasNonNull("top_k")) {
            if (!body.get("top_k").isIntegralNumber()) {
                throw OpenAiError.invalid("top_k", "top_k must be an integer");
            }
            topK = Math.max(0, body.get("top_k").asInt());
        }
        Long seed = null;
        if (body.hasNonNull("seed")) {
            if (!body.get("seed").isIntegralNumber()) {
                throw OpenAiError.invalid("seed", "seed must be an integer");
            }
            seed = body.get("seed").asLong();
        }
        List<String> stop = new ArrayList<>();
        JsonNode s = body.get("stop");
        if (s != null && !s.isNull()) {
            if (s.isTextual()) {
                stop.add(s.asText());
            } else if (s.isArray() && s.size() <= 4) {
                for (JsonNode e : s) {
                    if (!e.isTextual() || e.asText().isEmpty()) {
                        throw OpenAiError.invalid("stop", "stop entries must be non-empty strings");
                    }
                    stop.add(e.asText());
                }
            } else {
                throw OpenAiError.invalid("stop", "stop must be a string or an array of up to 4 strings");
            }
        }
        return new CompletionRequest.Sampling(maxTokens, temperature, topP, topK, seed, List.copyOf(stop));
    }

    private static double number(JsonNode body, String key, double dflt, double min, double max) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw OpenAiError.invalid(key, key + " must be a number in [" + min + ", " + max + "]");
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode body, String key, boolean dflt) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw OpenAiError.invalid(key, key + " must be a boolean");
        }
        return v.asBoolean();
    }
}
