package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.model.ThinkingMode;
import java.util.Locale;

/** The kind of OpenAI-compatible server, for the request fields that differ between them. */
public enum Provider {
    /** api.deepseek.com: {@code thinking: {type: enabled|disabled}}. */
    DEEPSEEK,
    /** vLLM: {@code chat_template_kwargs: {thinking: bool}}, {@code top_k}, {@code return_token_ids}. */
    VLLM,
    /** SGLang: {@code chat_template_kwargs: {thinking: bool}}, {@code top_k}. */
    SGLANG,
    /** A plain OpenAI-style server: no thinking switch. */
    OPENAI;

    public static Provider parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown provider '" + name + "': expected deepseek, vllm, sglang or openai");
        }
    }

    /** Adds the provider's thinking switch to a chat request body. */
    void addThinking(ObjectNode body, ThinkingMode mode) {
        boolean on = mode == ThinkingMode.THINKING;
        switch (this) {
            case DEEPSEEK -> body.putObject("thinking").put("type", on ? "enabled" : "disabled");
            case VLLM, SGLANG -> body.putObject("chat_template_kwargs").put("thinking", on);
            case OPENAI -> {}
        }
    }

    /** Whether the server takes sampling extensions such as {@code top_k}. */
    boolean takesTopK() {
        return this == VLLM || this == SGLANG;
    }
}
