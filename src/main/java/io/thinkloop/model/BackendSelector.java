package io.thinkloop.model;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Picks the model backend named by {@code thinkloop.model.backend} (default {@code embedded}) among the
 * CDI beans implementing {@link ModelBackend}, by {@link ModelBackend#id()}. A missing backend is not
 * a start-up failure: the service stays up and each turn reports {@code backend_unavailable}.
 */
@ApplicationScoped
public class BackendSelector {

    @Inject
    @Any
    Instance<ModelBackend> backends;

    @ConfigProperty(name = "thinkloop.model.backend", defaultValue = "embedded")
    String configured;

    public String configuredId() {
        return configured;
    }

    public Optional<ModelBackend> selected() {
        for (ModelBackend b : backends) {
            if (b.id().equals(configured)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    public List<String> availableIds() {
        return backends.stream().map(ModelBackend::id).sorted().toList();
    }
}
