package io.thinkloop.model;

import java.util.List;

/**
 * What the agent loop asks of a backend. {@code prompt} is the codec's encoding of {@code messages}
 * (with {@code tools}) in {@code thinking} mode; text backends send it as is, chat backends send
 * {@code messages} instead.
 */
public record CompletionRequest(
        List<ChatMessage> messages, List<ToolSpec> tools, ThinkingMode thinking, String prompt, Sampling sampling) {

    /**
     * Sampling controls; {@code temperature == 0} means greedy. {@code minP} drops tokens less likely than that
     * share of the most likely one (0: off).
     */
    public record Sampling(
            int maxTokens, double temperature, double topP, int topK, double minP, Long seed, List<String> stop) {
        public Sampling(int maxTokens, double temperature, double topP, int topK, Long seed, List<String> stop) {
            this(maxTokens, temperature, topP, topK, 0.0, seed, stop);
        }

        public static Sampling greedy(int maxTokens) {
            return new Sampling(maxTokens, 0.0, 1.0, 0, null, List.of());
        }

        /** The same settings with another token cap. */
        public Sampling withMaxTokens(int cap) {
            return new Sampling(cap, temperature, topP, topK, minP, seed, stop);
        }
    }
}
