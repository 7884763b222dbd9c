package io.thinkloop.backend.remote;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code thinkloop.model.remote.*}: the remote OpenAI-compatible server (see README's configuration table). */
@ConfigMapping(prefix = "thinkloop.model.remote")
public interface RemoteSettings {
    /** Server root, e.g. {@code https://api.deepseek.com} or {@code http://localhost:8000}; unset = backend off. */
    Optional<String> baseUrl();

    /** Bearer token; falls back to {@code DEEPSEEK_API_KEY} (provider deepseek) then {@code OPENAI_API_KEY}. */
    Optional<String> apiKey();

    @WithDefault("deepseek-chat")
    String model();

    @WithDefault("deepseek")
    String provider();

    @WithDefault("10s")
    Duration connectTimeout();

    @WithDefault("120s")
    Duration firstTokenTimeout();

    @WithDefault("60s")
    Duration idleTimeout();

    @WithDefault("3")
    int maxRetries();

    @WithDefault("500ms")
    Duration backoffBase();

    @WithDefault("20s")
    Duration backoffMax();

    @WithDefault("60s")
    Duration maxRetryAfter();

    @WithDefault("5")
    int breakerFailures();

    @WithDefault("30s")
    Duration breakerOpen();

    /** Appended to {@code /v1/completions} text that ended on end-of-sentence, so the codec sees the end. */
    @WithDefault("<｜end▁of▁sentence｜>")
    String eosText();

    /**
     * A {@code tokenizer.json} matching the server's model: {@code /v1/completions} then sends the prompt as
     * token ids, so the server samples after exactly the tokens Thinkloop means (no re-tokenization).
     */
    Optional<Path> tokenizer();

    /** The settings as a {@link RemoteConfig}, or empty when no base URL is configured. */
    default Optional<RemoteConfig> toConfig() {
        if (baseUrl().isEmpty() || baseUrl().get().isBlank()) {
            return Optional.empty();
        }
        Provider p = Provider.parse(provider());
        String key = apiKey().filter(k -> !k.isBlank()).orElseGet(() -> RemoteConfig.envKey(p));
        return Optional.of(new RemoteConfig(
                URI.create(baseUrl().get().trim()),
                key,
                model(),
                p,
                connectTimeout(),
                firstTokenTimeout(),
                idleTimeout(),
                maxRetries(),
                backoffBase(),
                backoffMax(),
                maxRetryAfter(),
                breakerFailures(),
                breakerOpen(),
                eosText()));
    }
}
