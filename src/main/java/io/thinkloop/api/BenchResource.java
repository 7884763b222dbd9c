package io.thinkloop.api;

import io.thinkloop.synth.Suite;
import io.thinkloop.model.ErrorCode;
import java.io.IOException;
import io.thinkloop.bench.BenchConfig;
import io.thinkloop.bench.BenchRunner;
import io.thinkloop.bench.Metrics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /v1/bench/runs} starts a bench run inside the service against the service's own URL (the one
 * the request came in on, with the caller's API key); {@code GET /v1/bench/runs/{id}} reports its progress and,
 * when done, its summary. Runs go on virtual threads; results land in {@code DATA_DIR/bench/ID} unless
 * {@code out} is given.
 */
@jakarta.ws.rs.Path("/v1/bench/runs")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class BenchResource {
    /** The request body; null fields take the CLI's defaults. */
    public record StartRequest(String suite, Integer trials, Integer concurrency, Long deadlineSeconds, Integer maxSteps,
                               String out, Long seed) {
    }

    /** A run's state as GET reports it. */
    public record RunState(String id, String status, String suite, String out, int done, int total, int passed,
                           int infraErrors, String error, Metrics.Summary summary) {
    }

    @ConfigProperty(name = "thinkloop.data-dir")
    String dataDir;

    private final Map<String, RunState> runs = new ConcurrentHashMap<>();

    @POST
    public Response start(StartRequest body, @Context UriInfo uri, @HeaderParam("Authorization") String auth) {
        if (body == null || body.suite() == null || body.suite().isBlank()) {
            return error(400, ErrorCode.INVALID_REQUEST, "suite is required (a file on the service's machine or classpath:NAME)");
        }
        String id = UUID.randomUUID().toString().substring(0, 12);
        Path out = body.out() != null ? Path.of(body.out()) : Path.of(dataDir, "bench", id);
        URI base = URI.create(uri.getBaseUri().getScheme() + "://" + uri.getBaseUri().getAuthority());
        String key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        BenchConfig config;
        try {
            Suite suite = Suite.load(body.suite());
            config = new BenchConfig(base, key, body.suite(), orDefault(body.trials(), 1), orDefault(body.concurrency(), 4),
                    Duration.ofSeconds(body.deadlineSeconds() == null ? 300 : body.deadlineSeconds()),
                    orDefault(body.maxSteps(), 32), out, body.seed() == null ? suite.header().seed() : body.seed(), 3, 0);
        } catch (IOException | IllegalArgumentException e) {
            return error(400, ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        runs.put(id, new RunState(id, "running", body.suite(), out.toString(), 0, 0, 0, 0, null, null));
        Thread.ofVirtual().name("bench-" + id).start(() -> {
            BenchRunner runner = new BenchRunner(config, p -> runs.computeIfPresent(id, (k, s) ->
                    new RunState(id, s.status(), s.suite(), s.out(), p.done(), p.total(), p.passed(), p.infraErrors(), null, null)));
            try {
                Files.createDirectories(out);
                Metrics.Summary summary = runner.run();
                runs.computeIfPresent(id, (k, s) -> new RunState(id, "completed", s.suite(), s.out(), s.done(), s.total(),
                        s.passed(), s.infraErrors(), null, summary));
            } catch (Exception e) {
                runs.computeIfPresent(id, (k, s) -> new RunState(id, "failed", s.suite(), s.out(), s.done(), s.total(),
                        s.passed(), s.infraErrors(), String.valueOf(e.getMessage()), null));
            }
        });
        return Response.accepted(runs.get(id)).location(URI.create("/v1/bench/runs/" + id)).build();
    }

    @GET
    @jakarta.ws.rs.Path("{id}")
    public Response get(@PathParam("id") String id) {
        RunState s = runs.get(id);
        return s == null ? error(404, ErrorCode.NOT_FOUND, "no bench run " + id) : Response.ok(s).build();
    }

    private static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }

    private static Response error(int status, ErrorCode code, String message) {
        ObjectNode b = Json.MAPPER.createObjectNode().put("code", code.wireName()).put("message", message).put("retryable", code.retryable());
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(b).build();
    }
}
