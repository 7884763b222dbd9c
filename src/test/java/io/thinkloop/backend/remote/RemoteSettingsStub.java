package io.thinkloop.backend.remote;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings with no server configured (all defaults), as when {@code thinkloop.model.remote.base-url} is unset. */
final class RemoteSettingsStub implements RemoteSettings {
    public Optional<String> baseUrl() {
        return Optional.empty();
    }

    public Optional<String> apiKey() {
        return Optional.empty();
    }

    public String model() {
        return "deepseek-chat";
    }

    public String provider() {
        return "deepseek";
    }

    public Duration connectTimeout() {
        return Duration.ofSeconds(10);
    }

    public Duration firstTokenTimeout() {
        return Duration.ofSeconds(120);
    }

    public Duration idleTimeout() {
        return Duration.ofSeconds(60);
    }

    public int maxRetries() {
        return 3;
    }

    public Duration backoffBase() {
        return Duration.ofMillis(500);
    }

    public Duration backoffMax() {
        return Duration.ofSeconds(20);
    }

    public Duration maxRetryAfter() {
        return Duration.ofSeconds(60);
    }

    public int breakerFailures() {
        return 5;
    }

    public Duration breakerOpen() {
        return Duration.ofSeconds(30);
    }

    public String eosText() {
        return RemoteConfig.DEFAULT_EOS;
    }

    public Optional<Path> tokenizer() {
        return Optional.empty();
    }
}
