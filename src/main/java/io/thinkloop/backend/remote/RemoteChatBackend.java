package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.ChatRequestBody;
import io.thinkloop.openai.ChatStreamDecoder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/**
 * Backend {@value #ID}: a remote OpenAI-compatible chat server (DeepSeek API, vLLM, SGLang, or Thinkloop
 * itself) over {@code POST /v1/chat/completions} with {@code stream: true}. The server applies the chat
 * template and parses the output; this backend emits {@link ModelChunk.Parsed} events (see
 * {@link ChatStreamDecoder}) and fails with {@link BackendException} (see {@link SseStreamer} for retries).
 */
@ApplicationScoped
public class RemoteChatBackend implements ModelBackend {
    public static final String ID = "remote";

    private final Optional<RemoteConfig> config;
    private final SseStreamer streamer;

    @Inject
    public RemoteChatBackend(RemoteSettings settings) {
        this(settings.toConfig());
    }

    public RemoteChatBackend(RemoteConfig config) {
        this(Optional.of(config));
    }

    private RemoteChatBackend(Optional<RemoteConfig> config) {
        this.config = config;
        this.streamer = config.map(SseStreamer::new).orElse(null);
    }

    @Override
    public String id() {
        return ID;
    }

    /** Whether a server is configured ({@code thinkloop.model.remote.base-url}). */
    @Override
    public boolean available() {
        return config.isPresent();
    }

    /** The server gets {@code response_format} as sent to us (OpenAI-compatible servers enforce it). */
    @Override
    public boolean supportsResponseFormat() {
        return true;
    }

    public CircuitBreaker.State breakerState() {
        return streamer == null
                ? CircuitBreaker.State.CLOSED
                : streamer.breaker().state();
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        if (config.isEmpty()) {
            return Multi.createFrom().failure(notConfigured());
        }
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(body(config.get(), request));
        } catch (Exception e) {
            return Multi.createFrom()
                    .failure(new BackendException(
                            ErrorCode.BAD_REQUEST, "cannot encode the request: " + e.getMessage()));
        }
        return streamer.stream("/v1/chat/completions", body, () -> handler(new ChatStreamDecoder(request.tools())));
    }

    private static SseHandler<ModelChunk> handler(ChatStreamDecoder decoder) {
        return new SseHandler<>() {
            @Override
            public List<ModelChunk> onData(String data) {
                return decoder.onData(data);
            }

            @Override
            public boolean complete() {
                return decoder.complete();
            }

            @Override
            public List<ModelChunk> onEnd() {
                return decoder.onEnd();
            }
        };
    }

    /** The request body: the OpenAI chat request ({@link ChatRequestBody}) with the provider's thinking switch. */
    static ObjectNode body(RemoteConfig config, CompletionRequest request) {
        ObjectNode body =
                ChatRequestBody.build(config.model(), request, config.provider().takesTopK());
        config.provider().addThinking(body, request.thinking() == null ? ThinkingMode.THINKING : request.thinking());
        return body;
    }

    static BackendException notConfigured() {
        return new BackendException(
                ErrorCode.NOT_CONFIGURED,
                "no remote server configured: set thinkloop.model.remote.base-url (and api-key / DEEPSEEK_API_KEY)");
    }
}
