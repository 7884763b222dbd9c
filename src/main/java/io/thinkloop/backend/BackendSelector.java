package io.thinkloop.backend;

import io.thinkloop.model.ModelBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one place that picks a model backend: among the CDI beans implementing {@link ModelBackend} that are
 * {@linkplain ModelBackend#available() available}, by {@link ModelBackend#id()}. Agent turns use the one
 * named by {@code thinkloop.model.backend} (default {@code embedded}); OpenAI-style requests may name
 * another in their {@code model} field. A missing backend is not a start-up failure: the service stays
 * up and each turn or request reports {@code backend_unavailable}.
 */
@ApplicationScoped
public class BackendSelector {
    /** {@code thinkloop.model.backend=none}: deliberately no model (services that only serve tools, tests). */
    public static final String NONE = "none";

    private final List<ModelBackend> backends;
    private final List<String> unavailable;
    private final String configured;

    @Inject
    public BackendSelector(
            @Any Instance<ModelBackend> all,
            @ConfigProperty(name = "thinkloop.model.backend", defaultValue = "embedded") String configured) {
        this(all.stream().toList(), configured);
    }

    public BackendSelector(List<ModelBackend> all, String configured) {
        this.backends = all.stream().filter(ModelBackend::available).toList();
        this.unavailable = all.stream()
                .filter(b -> !b.available())
                .map(ModelBackend::id)
                .sorted()
                .toList();
        this.configured = configured;
    }

    public String configuredId() {
        return configured;
    }

    /** The backend for agent turns: the configured one. */
    public Optional<ModelBackend> selected() {
        return byId(configured);
    }

    /** The backend a request names by id, else the configured one. */
    public Optional<ModelBackend> forRequest(String requestedId) {
        return byId(requestedId).or(this::selected);
    }

    public Optional<ModelBackend> byId(String id) {
        return backends.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    public List<ModelBackend> available() {
        return backends;
    }

    public List<String> availableIds() {
        return backends.stream().map(ModelBackend::id).sorted().toList();
    }

    /**
     * Why agent turns cannot run on the configured backend, or empty when it is offered: no backend has that id
     * (a typo in {@code thinkloop.model.backend}), or it exists but lacks its configuration. Readiness reports it.
     */
    public Optional<String> configuredProblem() {
        if (selected().isPresent() || NONE.equals(configured)) {
            return Optional.empty();
        }
        if (unavailable.contains(configured)) {
            return Optional.of("model backend '" + configured + "' (thinkloop.model.backend) is not configured"
                    + (configured.startsWith("remote") ? ": set thinkloop.model.remote.base-url" : "")
                    + "; offered: " + availableIds());
        }
        return Optional.of("model backend '" + configured + "' (thinkloop.model.backend) does not exist; offered: "
                + availableIds());
    }
}
