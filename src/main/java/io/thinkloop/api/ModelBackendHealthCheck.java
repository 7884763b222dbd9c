package io.thinkloop.api;

import io.thinkloop.backend.BackendSelector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the configured model backend ({@code thinkloop.model.backend}): DOWN with the reason when no
 * offered backend has that id, so a typo or a missing remote configuration shows at {@code /q/health/ready}
 * before the first turn fails with {@code backend_unavailable}. Whether the embedded model has loaded (or
 * failed to) is {@link EngineHealthCheck}'s part.
 */
@Readiness
@ApplicationScoped
public class ModelBackendHealthCheck implements HealthCheck {
    @Inject
    BackendSelector selector;

    @Override
    public HealthCheckResponse call() {
        return check(selector);
    }

    static HealthCheckResponse check(BackendSelector selector) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model-backend")
                .withData("configured", selector.configuredId())
                .withData("offered", String.join(",", selector.availableIds()));
        Optional<String> problem = selector.configuredProblem();
        problem.ifPresent(p -> b.withData("reason", p));
        return b.status(problem.isEmpty()).build();
    }
}
