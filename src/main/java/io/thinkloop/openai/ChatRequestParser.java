package io.thinkloop.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.CodecException;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validates an OpenAI chat-completions body and turns it into a {@link ChatCall}; every problem is an
 * {@link OpenAiError} 400 naming the offending parameter. Messages and tools are read by {@link OpenAiChat}.
 *
 * <p>Thinking is switched like DeepSeek's API ({@code thinking: {type: enabled|disabled}}), like vLLM/SGLang
 * ({@code chat_template_kwargs: {thinking: bool}}) or by {@code reasoning_effort} ({@code none} = off);
 * the default is on. {@code tool_choice}: {@code none} hides the tools, a named function offers only that
 * one, {@code auto} and {@code required} offer all (the model is not forced to call).
 */
public final class ChatRequestParser {
    private ChatRequestParser() {}

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
        List<ToolSpec> tools = OpenAiChat.tools(body.get("tools"), "tools");
        tools = applyToolChoice(body.get("tool_choice"), tools);
        List<ChatMessage> messages =
                withResponseFormat(OpenAiChat.messages(body.get("messages")), responseFormat(body));
        ThinkingMode mode = thinking(body, defaultThinking);
        CompletionRequest.Sampling sampling = sampling(body, defaultMaxTokens);
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        String prompt = encode(messages, tools, mode);
        return new ChatCall(
                model, backendId, new CompletionRequest(messages, tools, mode, prompt, sampling), stream, includeUsage);
    }

    /** The codec's prompt, with the tools declared in the system message as the template expects. */
    public static String encode(List<ChatMessage> messages, List<ToolSpec> tools, ThinkingMode mode) {
        List<ChatMessage> withTools = new ArrayList<>(messages);
        if (!tools.isEmpty()) {
            ChatMessage first = withTools.isEmpty() ? null : withTools.get(0);
            if (first != null && first.role() == ChatMessage.Role.SYSTEM) {
                withTools.set(
                        0,
                        new ChatMessage(
                                first.role(), first.content(), null, null, null, tools, first.responseFormat()));
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
                default ->
                    throw OpenAiError.invalid(
                            "tool_choice",
                            "tool_choice must be none, auto, required or {type: function, function: {name}}");
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
            throw OpenAiError.invalid(
                    "response_format",
                    "response_format must be an object with a type: text, json_object or json_schema");
        }
        return switch (rf.get("type").asText()) {
            case "text" -> null;
            case "json_object" -> rf;
            case "json_schema" -> {
                JsonNode js = rf.path("json_schema");
                if (!js.isObject()
                        || !js.path("name").isTextual()
                        || (js.has("schema") && !js.get("schema").isObject())) {
                    throw OpenAiError.invalid(
                            "response_format.json_schema",
                            "response_format.json_schema must be {name, schema (a JSON Schema object), strict?}");
                }
                yield rf;
            }
            default ->
                throw OpenAiError.invalid(
                        "response_format.type",
                        "response_format.type must be text, json_object or " + "json_schema (got '"
                                + rf.get("type").asText() + "')");
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
