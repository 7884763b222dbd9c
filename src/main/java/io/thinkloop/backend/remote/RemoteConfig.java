package io.thinkloop.backend.remote;

import java.net.URI;
import java.time.Duration;

/**
 * Settings of a remote OpenAI-compatible server ({@code thinkloop.model.remote.*}).
 *
 * @param baseUrl           server root, without {@code /v1} (e.g. {@code https://api.deepseek.com})
 * @param apiKey            Bearer token, or null
 * @param model             the {@code model} field sent
 * @param provider          which request dialect to speak
 * @param connectTimeout    TCP/TLS connect
 * @param firstTokenTimeout from sending the request until the first emitted chunk
 * @param idleTimeout       longest gap between bytes once the stream has started
 * @param maxRetries        retries after the first attempt (only before any chunk was emitted)
 * @param backoffBase       first retry delay; doubles each retry, with jitter
 * @param backoffMax        cap of a computed delay
 * @param maxRetryAfter     longest server {@code Retry-After} we wait for; longer ones fail at once
 * @param breakerFailures   consecutive failed attempts that open the circuit
 * @param breakerOpen       how long the open circuit rejects requests before one trial
 * @param eosText           text appended for a completion that ended on end-of-sentence (completions API)
 */
public record RemoteConfig(
        URI baseUrl,
        String apiKey,
        String model,
        Provider provider,
        Duration connectTimeout,
        Duration firstTokenTimeout,
        Duration idleTimeout,
        int maxRetries,
        Duration backoffBase,
        Duration backoffMax,
        Duration maxRetryAfter,
        int breakerFailures,
        Duration breakerOpen,
        String eosText) {

    public static final String DEFAULT_EOS = "<｜end▁of▁sentence｜>";

    /** Defaults for a server at {@code baseUrl}; the key comes from the environment as documented. */
    public static RemoteConfig of(String baseUrl, String model, Provider provider) {
        return new RemoteConfig(
                URI.create(baseUrl),
                envKey(provider),
                model,
                provider,
                Duration.ofSeconds(10),
                Duration.ofSeconds(120),
                Duration.ofSeconds(60),
                3,
                Duration.ofMillis(500),
                Duration.ofSeconds(20),
                Duration.ofSeconds(60),
                5,
                Duration.ofSeconds(30),
                DEFAULT_EOS);
    }

    /** {@code DEEPSEEK_API_KEY} for DeepSeek, then {@code OPENAI_API_KEY}. */
    public static String envKey(Provider provider) {
        String key = provider == Provider.DEEPSEEK ? System.getenv("DEEPSEEK_API_KEY") : null;
        if (key == null || key.isBlank()) {
            key = System.getenv("OPENAI_API_KEY");
        }
        return key == null || key.isBlank() ? null : key;
    }

    public RemoteConfig withApiKey(String key) {
        return new RemoteConfig(
                baseUrl,
                key,
                model,
                provider,
                connectTimeout,
                firstTokenTimeout,
                idleTimeout,
                maxRetries,
                backoffBase,
                backoffMax,
                maxRetryAfter,
                breakerFailures,
                breakerOpen,
                eosText);
    }

    public RemoteConfig withTimeouts(Duration firstToken, Duration idle) {
        return new RemoteConfig(
                baseUrl,
                apiKey,
                model,
                provider,
                connectTimeout,
                firstToken,
                idle,
                maxRetries,
                backoffBase,
                backoffMax,
                maxRetryAfter,
                breakerFailures,
                breakerOpen,
                eosText);
    }

    public RemoteConfig withRetries(int retries, Duration base, Duration max) {
        return new RemoteConfig(
                baseUrl,
                apiKey,
                model,
                provider,
                connectTimeout,
                firstTokenTimeout,
                idleTimeout,
                retries,
                base,
                max,
                maxRetryAfter,
                breakerFailures,
                breakerOpen,
                eosText);
    }

    public RemoteConfig withBreaker(int failures, Duration open) {
        return new RemoteConfig(
                baseUrl,
                apiKey,
                model,
                provider,
                connectTimeout,
                firstTokenTimeout,
                idleTimeout,
                maxRetries,
                backoffBase,
                backoffMax,
                maxRetryAfter,
                failures,
                open,
                eosText);
    }

    URI endpoint(String path) {
        String base = baseUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/v1")) {
            base = base.substring(0, base.length() - 3);
        }
        return URI.create(base + path);
    }
}
