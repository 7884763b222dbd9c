package io.thinkloop.api;

import io.thinkloop.backend.embedded.EngineBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the embedded model: DOWN with state {@code loading} until it is loaded (when it is the
 * selected backend), and the "untrained" statement when the default model is in use.
 */
@Readiness
@ApplicationScoped
public class EngineHealthCheck implements HealthCheck {
    @Inject
    EngineBackend backend;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("embedded-model");
        backend.info().forEach((k, v) -> {
            switch (v) {
                case Boolean x -> b.withData(k, x);
                case Number x -> b.withData(k, x.longValue());
                default -> b.withData(k, String.valueOf(v));
            }
        });
        boolean selected = Boolean.TRUE.equals(backend.info().get("selected"));
        if (selected && backend.state() == EngineBackend.State.FAILED) {
            b.withData(
                    "reason",
                    "the embedded model could not be loaded: " + backend.info().get("error"));
        }
        return b.status(!selected || backend.state() == EngineBackend.State.READY)
                .build();
    }
}
