package io.thinkloop.model.openai;

import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.remote.RemoteChatBackend;
import io.thinkloop.model.remote.RemoteCompletionsBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configured {@link ModelBackend} beans by {@link ModelBackend#id()}; a request's {@code model} names
 * one, else {@code thinkloop.model.backend} is used. Remote backends without a server URL are left out.
 */
@ApplicationScoped
public class ModelBackends {
    private final List<ModelBackend> backends = new ArrayList<>();
    private final Optional<String> defaultId;

    @Inject
    public ModelBackends(@Any Instance<ModelBackend> all, @ConfigProperty(name = "thinkloop.model.backend") Optional<String> defaultId) {
        this(all.stream().toList(), defaultId);
    }

    public ModelBackends(List<ModelBackend> all, Optional<String> defaultId) {
        for (ModelBackend b : all) {
            if (configured(b)) {
                backends.add(b);
            }
        }
        this.defaultId = defaultId;
    }

    static boolean configured(ModelBackend b) {
        if (b instanceof RemoteChatBackend r) {
            return r.configured();
        }
        if (b instanceof RemoteCompletionsBackend r) {
            return r.configured();
        }
        return true;
    }

    public List<ModelBackend> all() {
        return List.copyOf(backends);
    }

    /** The backend {@code model} names, else the default one. */
    public ModelBackend select(String model) {
        for (ModelBackend b : backends) {
            if (b.id().equals(model)) {
                return b;
            }
        }
        if (defaultId.isPresent()) {
            for (ModelBackend b : backends) {
                if (b.id().equals(defaultId.get())) {
                    return b;
                }
            }
            throw new OpenAiError(503, "server_error", "model", "backend_unavailable",
                    "the default backend '" + defaultId.get() + "' (thinkloop.model.backend) is not configured; available: " + ids());
        }
        if (backends.size() == 1) {
            return backends.get(0);
        }
        throw new OpenAiError(404, "invalid_request_error", "model", "model_not_found",
                "model '" + model + "' is not a configured backend; available: " + ids());
    }

    private List<String> ids() {
        return backends.stream().map(ModelBackend::id).toList();
    }
}
