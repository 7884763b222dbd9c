package io.thinkloop.api;

import io.thinkloop.backend.embedded.EngineBackend;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code GET /v1/engine}: the embedded model's state, checkpoint and whether its weights are untrained. */
@Path("/v1/engine")
public class EngineInfoResource {
    @Inject
    EngineBackend backend;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info() {
        return backend.info();
    }
}
