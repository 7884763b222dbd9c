package io.thinkloop.api;

import io.thinkloop.session.SessionManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the session store: DOWN with the reason when the process cannot open or write files in
 * the data directory (descriptors exhausted, disk full, read-only), as found by a probe every 2 s; the
 * data names loaded sessions, evictions, quarantined journal lines and the last journal failure.
 */
@Readiness
@ApplicationScoped
public class SessionStoreHealthCheck implements HealthCheck {
    @Inject
    SessionManager sessions;

    @Override
    public HealthCheckResponse call() {
        SessionManager.Health h = sessions.health();
        HealthCheckResponseBuilder b =
                HealthCheckResponse.named("session-store").status(h.up());
        if (h.reason() != null) {
            b.withData("reason", h.reason());
        }
        sessions.healthData().forEach((k, v) -> {
            switch (v) {
                case Number n -> b.withData(k, n.longValue());
                default -> b.withData(k, String.valueOf(v));
            }
        });
        return b.build();
    }
}
