package io.thinkloop.model;

import io.smallrye.mutiny.Multi;

/**
 * Streams one completion for a conversation. Cancelling the subscription cancels the generation
 * (remote request aborted, engine loop stopped), also before the first chunk.
 *
 * <p>Backends that produce raw model text (the embedded engine, {@code /v1/completions} servers) emit
 * {@link ModelChunk.Text}; the agent loop parses it with the codec's streaming parser. Backends that
 * receive already-structured output (OpenAI-style chat servers) emit {@link ModelChunk.Parsed} events.
 */
public interface ModelBackend {
    /** Stable identifier, e.g. {@code embedded} or {@code deepseek-remote}. */
    String id();

    Multi<ModelChunk> stream(CompletionRequest request);

    /** False while the backend lacks its configuration (e.g. a remote backend without a server URL); it is then not offered. */
    default boolean available() {
        return true;
    }

    /**
     * Whether the backend honours an OpenAI {@code response_format} ({@code json_object}, {@code json_schema})
     * carried on the system message: a server that enforces it, not merely a prompt that mentions it. The
     * OpenAI endpoint rejects such a request for any other backend rather than ignore the format.
     */
    default boolean supportsResponseFormat() {
        return false;
    }

    /** What users must know about this backend's output (e.g. untrained weights, a test double), or null; shown by {@code /v1/models}. */
    default String notice() {
        return null;
    }
}
