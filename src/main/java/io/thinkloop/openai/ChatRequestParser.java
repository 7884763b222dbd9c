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
    private ChatRequestParser() {
    }

    public static ChatCall parse(JsonNode body, String backendId, int defaultMaxTokens) {
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
        List<ChatMessage> messages = OpenAiChat.messages(body.get("messages"));
        ThinkingMode mode = thinking(body);
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

    private static ThinkingMode thinking(JsonNode body) {
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
        return ThinkingMode.THINKING;
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
