package io.thinkloop.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.HttpServer;
import io.thinkloop.bench.BenchConfig;
import io.thinkloop.bench.BenchRunner;
import io.thinkloop.bench.Metrics;
import io.thinkloop.json.Json;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.synth.Suite;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /v1/bench/runs} starts a bench run inside the service against the service itself; {@code GET
 * /v1/bench/runs/{id}} reports its progress and, when done, its summary. Runs go on virtual threads.
 *
 * <p>Confined, because a caller of this endpoint must not reach anything a caller of the API cannot:
 * <ul>
 * <li>{@code suite} is {@code classpath:NAME} (a pinned suite in the jar) or a plain {@code NAME} of a file in
 * {@code DATA_DIR/suites/}; never a path. Errors name the suite, never what a file contains.</li>
 * <li>{@code out} is a plain {@code NAME}: results land in {@code DATA_DIR/bench/NAME} (default: the run id).</li>
 * <li>The target is the service's own HTTP listener, from its configuration ({@code quarkus.http.host}, the
 * port it listens on), with the caller's key; never the {@code Host} of the request, which a client chooses,
 * so the key cannot be sent anywhere else.</li>
 * </ul>
 */
@jakarta.ws.rs.Path("/v1/bench/runs")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class BenchResource {
    /** A suite or output name: one path segment, no separators, not starting with a dot. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private static final String CLASSPATH = "classpath:";

    /** The request body; null fields take the CLI's defaults. */
    public record StartRequest(
            String suite,
            Integer trials,
            Integer concurrency,
            Long deadlineSeconds,
            Integer maxSteps,
            String out,
            Long seed) {}

    /** A run's state as GET reports it. */
    public record RunState(
            String id,
            String status,
            String suite,
            String out,
            int done,
            int total,
            int passed,
            int infraErrors,
            String error,
            Metrics.Summary summary) {}

    @ConfigProperty(name = "thinkloop.data-dir")
    String dataDir;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0")
    String httpHost;

    @Inject
    HttpServer httpServer;

    private final Map<String, RunState> runs = new ConcurrentHashMap<>();

    @POST
    public Response start(
            StartRequest body, @HeaderParam("Authorization") String auth, @QueryParam("token") String queryToken) {
        if (body == null || body.suite() == null || body.suite().isBlank()) {
            return error(
                    400,
                    ErrorCode.INVALID_REQUEST,
                    "suite is required: classpath:NAME or the NAME of a file in DATA_DIR/suites");
        }
        String location = suiteLocation(body.suite());
        if (location == null) {
            return error(
                    400,
                    ErrorCode.INVALID_REQUEST,
                    "suite must be classpath:NAME or the NAME of a file in DATA_DIR/suites "
                            + "(letters, digits, '.', '_', '-'; no paths)");
        }
        if (body.out() != null && !NAME.matcher(body.out()).matches()) {
            return error(
                    400,
                    ErrorCode.INVALID_REQUEST,
                    "out must be a NAME (letters, digits, '.', '_', '-'; no paths): results go to DATA_DIR/bench/NAME");
        }
        String id = UUID.randomUUID().toString().substring(0, 12);
        Path out = Path.of(dataDir, "bench", body.out() != null ? body.out() : id);
        String key = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).trim()
                : queryToken;
        BenchConfig config;
        try {
            Suite suite = loadSuite(body.suite(), location);
            config = new BenchConfig(
                    ownUrl(),
                    key,
                    location,
                    orDefault(body.trials(), 1),
                    orDefault(body.concurrency(), 4),
                    Duration.ofSeconds(body.deadlineSeconds() == null ? 300 : body.deadlineSeconds()),
                    orDefault(body.maxSteps(), 32),
                    out,
                    body.seed() == null ? suite.header().seed() : body.seed(),
                    3,
                    0);
        } catch (SuiteProblem e) {
            return error(400, ErrorCode.INVALID_REQUEST, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        runs.put(id, new RunState(id, "running", body.suite(), out.toString(), 0, 0, 0, 0, null, null));
        Thread.ofVirtual().name("bench-" + id).start(() -> {
            BenchRunner runner = new BenchRunner(
                    config,
                    p -> runs.computeIfPresent(
                            id,
                            (k, s) -> new RunState(
                                    id,
                                    s.status(),
                                    s.suite(),
                                    s.out(),
                                    p.done(),
                                    p.total(),
                                    p.passed(),
                                    p.infraErrors(),
                                    null,
                                    null)));
            try {
                Files.createDirectories(out);
                Metrics.Summary summary = runner.run();
                runs.computeIfPresent(
                        id,
                        (k, s) -> new RunState(
                                id,
                                "completed",
                                s.suite(),
                                s.out(),
                                s.done(),
                                s.total(),
                                s.passed(),
                                s.infraErrors(),
                                null,
                                summary));
            } catch (Exception e) {
                runs.computeIfPresent(
                        id,
                        (k, s) -> new RunState(
                                id,
                                "failed",
                                s.suite(),
                                s.out(),
                                s.done(),
                                s.total(),
                                s.passed(),
                                s.infraErrors(),
                                e.getClass().getSimpleName() + ": " + e.getMessage(),
                                null));
            }
        });
        return Response.accepted(runs.get(id))
                .location(URI.create("/v1/bench/runs/" + id))
                .build();
    }

    /** {@code classpath:NAME}, or the path of {@code DATA_DIR/suites/NAME}; null when the name is not a plain name. */
    private String suiteLocation(String suite) {
        String name = suite.startsWith(CLASSPATH) ? suite.substring(CLASSPATH.length()) : suite;
        if (!NAME.matcher(name).matches()) {
            return null;
        }
        return suite.startsWith(CLASSPATH) ? suite : suitesDir().resolve(name).toString();
    }

    private Path suitesDir() {
        return Path.of(dataDir, "suites").toAbsolutePath().normalize();
    }

    /** Loads the suite; a failure says which suite and why in general terms, never what the file holds. */
    private Suite loadSuite(String requested, String location) throws SuiteProblem {
        if (!location.startsWith(CLASSPATH)) {
            Path file = Path.of(location);
            try {
                if (!Files.isRegularFile(file)
                        || !file.toRealPath().startsWith(suitesDir().toRealPath())) {
                    throw new SuiteProblem("no suite " + requested + " in DATA_DIR/suites");
                }
            } catch (IOException e) {
                throw new SuiteProblem("no suite " + requested + " in DATA_DIR/suites");
            }
        }
        try {
            return Suite.load(location);
        } catch (IOException | RuntimeException e) {
            throw new SuiteProblem(
                    location.startsWith(CLASSPATH)
                                    && e.getMessage() != null
                                    && e.getMessage().startsWith("no suite")
                            ? "no suite " + requested + " on the classpath"
                            : "suite " + requested
                                    + " is not a valid suite file (JSONL: a suite header line, then one task per line)");
        }
    }

    private static final class SuiteProblem extends Exception {
        SuiteProblem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The service's own address: its configured interface (a wildcard one reached through loopback) and the
     * port it actually listens on.
     */
    URI ownUrl() {
        String host = httpHost == null ? "" : httpHost.trim();
        if (host.isEmpty() || host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::") || host.equals("[::]")) {
            host = "[::1]";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + httpServer.getPort());
    }

    @GET
    @jakarta.ws.rs.Path("{id}")
    public Response get(@PathParam("id") String id) {
        RunState s = runs.get(id);
        return s == null
                ? error(404, ErrorCode.NOT_FOUND, "no bench run " + id)
                : Response.ok(s).build();
    }

    private static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }

    private static Response error(int status, ErrorCode code, String message) {
        ObjectNode b = Json.MAPPER
                .createObjectNode()
                .put("code", code.wireName())
                .put("message", message)
                .put("retryable", code.retryable());
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(b)
                .build();
    }
}
