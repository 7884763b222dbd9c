package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.openai.ChatRequestBody;
import io.thinkloop.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Backend {@value #ID}: sends Thinkloop's own prompt (the codec's encoding, {@link CompletionRequest#prompt})
 * to a remote {@code POST /v1/completions} and emits the raw completion as {@link ModelChunk.Text} with
 * per-token logprobs (and token ids where the server returns them) — what RL rollouts need, and the way to
 * use a server whose chat template or tool parser is not trusted. Uses {@code thinkloop.model.remote.*}.
 */
@ApplicationScoped
public class RemoteCompletionsBackend implements ModelBackend {
    public static final String ID = "remote-completions";

    private final Optional<RemoteConfig> config;
    private final SseStreamer streamer;
    private final Tokenizer tokenizer;

    @Inject
    public RemoteCompletionsBackend(RemoteSettings settings) {
        this(
                settings.toConfig(),
                settings.tokenizer()
                        .map(RemoteCompletionsBackend::loadTokenizer)
                        .orElse(null));
    }

    public RemoteCompletionsBackend(RemoteConfig config) {
        this(Optional.of(config), null);
    }

    /** With a tokenizer the prompt goes out as token ids. */
    public RemoteCompletionsBackend(RemoteConfig config, Tokenizer tokenizer) {
        this(Optional.of(config), tokenizer);
    }

    private RemoteCompletionsBackend(Optional<RemoteConfig> config, Tokenizer tokenizer) {
        this.config = config;
        this.streamer = config.map(SseStreamer::new).orElse(null);
        this.tokenizer = tokenizer;
    }

    private static Tokenizer loadTokenizer(Path path) {
        try {
            return Tokenizer.load(path);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read thinkloop.model.remote.tokenizer " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean available() {
        return config.isPresent();
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        if (config.isEmpty()) {
            return Multi.createFrom().failure(RemoteChatBackend.notConfigured());
        }
        if (request.prompt() == null) {
            return Multi.createFrom()
                    .failure(new BackendException(
                            ErrorCode.BAD_REQUEST,
                            "the completions backend needs the encoded prompt (CompletionRequest.prompt)"));
        }
        RemoteConfig c = config.get();
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(body(c, request, tokenizer));
        } catch (Exception e) {
            return Multi.createFrom()
                    .failure(new BackendException(
                            ErrorCode.BAD_REQUEST, "cannot encode the request: " + e.getMessage()));
        }
        CompletionRequest.Sampling s = request.sampling();
        return streamer.stream(
                "/v1/completions", body, () -> new CompletionStreamDecoder(c.eosText(), s == null ? null : s.stop()));
    }

    static ObjectNode body(RemoteConfig c, CompletionRequest request, Tokenizer tokenizer) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", c.model());
        if (tokenizer == null) {
            body.put("prompt", request.prompt());
        } else {
            ArrayNode ids = body.putArray("prompt");
            for (int id : tokenizer.encode(request.prompt())) {
                ids.add(id);
            }
        }
        ChatRequestBody.putSampling(body, request.sampling(), c.provider().takesTopK());
        // The sampled token's logprob (0 alternatives beyond it is not accepted everywhere; 1 is).
        body.put("logprobs", 1);
        body.put("echo", false);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        switch (c.provider()) {
            case VLLM -> {
                body.put("return_token_ids", true);
                body.put("skip_special_tokens", false);
            }
            case SGLANG -> body.put("skip_special_tokens", false);
            default -> {}
        }
        return body;
    }
}
