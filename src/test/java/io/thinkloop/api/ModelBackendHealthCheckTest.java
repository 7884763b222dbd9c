package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Multi;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Readiness names the configured backend's problem instead of staying UP until the first turn fails. */
class ModelBackendHealthCheckTest {
    record Fake(String id, boolean available) implements ModelBackend {
        @Override
        public Multi<ModelChunk> stream(CompletionRequest request) {
            return Multi.createFrom().empty();
        }
    }

    private static final List<ModelBackend> BACKENDS =
            List.of(new Fake("embedded", true), new Fake("remote", false), new Fake("synthetic", true));

    @Test
    void aBackendIdThatDoesNotExistMakesReadinessDownWithTheReason() {
        HealthCheckResponse r = ModelBackendHealthCheck.check(new BackendSelector(BACKENDS, "nope"));
        assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
        String reason = (String) r.getData().orElseThrow().get("reason");
        assertEquals(
                "model backend 'nope' (thinkloop.model.backend) does not exist; offered: [embedded, synthetic]",
                reason);
        assertEquals("nope", r.getData().orElseThrow().get("configured"));
    }

    @Test
    void anUnconfiguredRemoteBackendMakesReadinessDownAndSaysWhatToSet() {
        HealthCheckResponse r = ModelBackendHealthCheck.check(new BackendSelector(BACKENDS, "remote"));
        assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
        String reason = (String) r.getData().orElseThrow().get("reason");
        assertTrue(reason.contains("is not configured: set thinkloop.model.remote.base-url"), reason);
    }

    @Test
    void noneIsADeliberateChoiceAndStaysUp() {
        assertEquals(
                HealthCheckResponse.Status.UP,
                ModelBackendHealthCheck.check(new BackendSelector(BACKENDS, "none"))
                        .getStatus());
    }

    @Test
    void anOfferedBackendIsUpWithoutAReason() {
        HealthCheckResponse r = ModelBackendHealthCheck.check(new BackendSelector(BACKENDS, "synthetic"));
        assertEquals(HealthCheckResponse.Status.UP, r.getStatus());
        assertTrue(!r.getData().orElseThrow().containsKey("reason"));
        assertEquals("embedded,synthetic", r.getData().orElseThrow().get("offered"));
    }
}
