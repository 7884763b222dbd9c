package io.thinkloop.model;

/** One piece of a backend's streamed completion. */
public sealed interface ModelChunk {

    /** Raw model text to be parsed; token ids and their logprobs when the backend knows them (else null). */
    record Text(String text, int[] tokenIds, float[] logprobs) implements ModelChunk {
        public Text(String text) {
            this(text, null, null);
        }
    }

    /** Output the backend already parsed (reasoning, text, tool calls), in the codec's event types. */
    record Parsed(ParseEvent event) implements ModelChunk {}

    /** Token accounting, usually last. */
    record Usage(int promptTokens, int completionTokens, int reasoningTokens) implements ModelChunk {}
}
