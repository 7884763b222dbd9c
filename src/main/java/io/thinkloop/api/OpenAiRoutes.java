package io.thinkloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.mutiny.Multi;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.ChatCall;
import io.thinkloop.openai.ChatRequestParser;
import io.thinkloop.openai.CompletionAssembler;
import io.thinkloop.openai.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Thinkloop's OpenAI-compatible API on the service's HTTP port: {@code GET /v1/models} (the configured
 * backends) and {@code POST /v1/chat/completions} (streaming SSE or not), served by the backend the
 * request's {@code model} names. Vert.x routes rather than JAX-RS so that a stream's HTTP status can wait
 * for its first chunk (early backend failures get a real status) and writes follow the client's pace
 * (one chunk requested per write that drained). Request preparation (JSON, validation, prompt encoding)
 * runs on a worker thread; nothing here blocks the event loop.
 */
@ApplicationScoped
public class OpenAiRoutes {
    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);

    @Inject
    BackendSelector backends;

    /** The service's API keys (as the runtime's API security reads them): {@code THINKLOOP_API_KEY} and more. */
    @ConfigProperty(name = "thinkloop.api-key")
    Optional<String> apiKey;

    @ConfigProperty(name = "thinkloop.security.api-keys")
    Optional<List<String>> moreKeys;

    @ConfigProperty(name = "thinkloop.security.auth-enabled", defaultValue = "true")
    boolean authEnabled;

    @ConfigProperty(name = "thinkloop.openai.default-max-tokens", defaultValue = "8192")
    int defaultMaxTokens;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "16M")
    MemorySize maxBody;

    /** The OpenAI-compatible paths: their errors, also the API guard's 401 and 403, use OpenAI's error envelope. */
    static final Set<String> PATHS = Set.of("/v1/models", "/v1/chat/completions");

    void register(@Observes Router router) {
        router.get("/v1/models").handler(this::models);
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(maxBody.asLongValue()))
                .handler(this::chatCompletions);
    }

    void onStart(@Observes StartupEvent event) {
        LOG.debugf(
                "OpenAI-compatible endpoints serve backends %s",
                backends.available().stream().map(ModelBackend::id).toList());
    }

    /**
     * {@code Authorization: Bearer KEY} against the configured keys. Deliberately the same rule as the
     * service-wide API security filter, so the endpoints stay closed even where that filter is absent;
     * with no key configured this check passes and the filter (generated key) decides.
     */
    private boolean authorized(RoutingContext ctx) {
        List<byte[]> keys = new ArrayList<>();
        apiKey.filter(k -> !k.isBlank()).ifPresent(k -> keys.add(k.trim().getBytes(StandardCharsets.UTF_8)));
        moreKeys.ifPresent(ks -> ks.stream()
                .filter(k -> !k.isBlank())
                .forEach(k -> keys.add(k.trim().getBytes(StandardCharsets.UTF_8))));
        if (!authEnabled || keys.isEmpty()) {
            return true;
        }
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (byte[] key : keys) {
                ok |= MessageDigest.isEqual(presented, key);
            }
            if (ok) {
                return true;
            }
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        sendError(
                ctx.response(),
                new OpenAiError(
                        401,
                        "invalid_request_error",
                        null,
                        "invalid_api_key",
                        "missing or wrong API key: send 'Authorization: Bearer <THINKLOOP_API_KEY>'"));
        return false;
    }

    private void models(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        ObjectNode root = Json.MAPPER.createObjectNode().put("object", "list");
        // beyond OpenAI's shape (clients ignore it): which backend agent turns use, for reports and consoles
        root.put("agent_backend", backends.configuredId());
        ArrayNode data = root.putArray("data");
        for (ModelBackend b : backends.available()) {
            for (String id : List.of(b.id(), b.id() + REASONER)) {
                ObjectNode model = data.addObject()
                        .put("id", id)
                        .put("object", "model")
                        .put("created", 0)
                        .put("owned_by", "thinkloop");
                model.put("thinking", id.endsWith(REASONER)); // the default; a request's thinking switches win
                // The backend agent turns (sessions, the console) use: the console's header badge names it.
                model.put("default", b.id().equals(backends.configuredId()));
                if (b.notice() != null) {
                    model.put("notice", b.notice());
                }
            }
        }
        sendJson(ctx.response(), 200, root);
    }

    private void chatCompletions(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        HttpServerResponse response = ctx.response();
        byte[] raw =
                ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        ctx.vertx().<Prepared>executeBlocking(() -> prepare(raw), false).onComplete(ar -> {
            if (ar.failed()) {
                Throwable t = ar.cause();
                sendError(
                        response,
                        t instanceof OpenAiError e
                                ? e
                                : new OpenAiError(500, "server_error", null, null, "cannot prepare the request: " + t));
                return;
            }
            Prepared p = ar.result();
            p.chunks.subscribe().withSubscriber(new Writer(p, response));
        });
    }

    /** A validated request and its (not yet subscribed) stream; {@code stream()} may do real work, so it runs here on a worker. */
    private record Prepared(ChatCall call, ModelBackend backend, Multi<ModelChunk> chunks) {}

    private Prepared prepare(byte[] raw) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(raw);
        } catch (Exception e) {
            throw OpenAiError.invalid(null, "the body is not valid JSON: " + e.getMessage());
        }
        String model = body != null && body.path("model").isTextual()
                ? body.get("model").asText()
                : null;
        if (body == null || !body.isObject() || model == null || model.isBlank()) {
            ChatRequestParser.parse(body, null, defaultMaxTokens); // says what is missing
        }
        ModelRoute route = route(model).orElseThrow(() -> OpenAiError.modelNotFound(model, modelIds()));
        ModelBackend backend = route.backend();
        ChatCall call = ChatRequestParser.parse(body, backend.id(), defaultMaxTokens, route.thinking());
        if (ChatRequestParser.responseFormat(body) != null && !backend.supportsResponseFormat()) {
            throw new OpenAiError(
                    400,
                    "invalid_request_error",
                    "response_format",
                    "unsupported_response_format",
                    "model '" + model + "' cannot guarantee response_format "
                            + body.get("response_format").path("type").asText() + " (the " + backend.id()
                            + " backend has no constrained decoding); leave it out, or use a remote backend");
        }
        return new Prepared(call, backend, backend.stream(call.request()));
    }

    /** Suffix of the thinking id of a backend, as DeepSeek's {@code deepseek-reasoner} beside {@code deepseek-chat}. */
    static final String REASONER = "-reasoner";

    /** A model id of {@code GET /v1/models}: the backend that serves it and the thinking mode it stands for. */
    record ModelRoute(ModelBackend backend, ThinkingMode thinking) {}

    /** {@code ID} is the backend without thinking (chat), {@code ID-reasoner} the same with thinking; others: none. */
    Optional<ModelRoute> route(String model) {
        Optional<ModelBackend> plain = backends.byId(model);
        if (plain.isPresent()) {
            return Optional.of(new ModelRoute(plain.get(), ThinkingMode.CHAT));
        }
        if (model.endsWith(REASONER)) {
            return backends.byId(model.substring(0, model.length() - REASONER.length()))
                    .map(b -> new ModelRoute(b, ThinkingMode.THINKING));
        }
        return Optional.empty();
    }

    private List<String> modelIds() {
        List<String> ids = new ArrayList<>();
        backends.availableIds().forEach(id -> {
            ids.add(id);
            ids.add(id + REASONER);
        });
        return ids;
    }

    /**
     * Writes one completion. HTTP headers go out with the first chunk, so a backend that fails before
     * producing anything gets an error status; later failures become an {@code error} event.
     */
    private static final class Writer implements Flow.Subscriber<ModelChunk> {
        private final ChatCall call;
        private final HttpServerResponse response;
        private final CompletionAssembler assembler;
        private Flow.Subscription subscription;
        private boolean headersSent;
        private volatile boolean closed;

        Writer(Prepared p, HttpServerResponse response) {
            this.call = p.call;
            this.response = response;
            this.assembler = new CompletionAssembler(
                    p.call.model(),
                    p.call.request().thinking(),
                    p.call.request().tools());
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            response.closeHandler(v -> {
                closed = true;
                s.cancel();
            });
            s.request(1);
        }

        @Override
        public void onNext(ModelChunk chunk) {
            if (closed) {
                return;
            }
            List<ObjectNode> out;
            try {
                out = assembler.accept(chunk);
            } catch (RuntimeException e) {
                subscription.cancel();
                onError(e);
                return;
            }
            if (call.stream()) {
                write(out);
            }
            requestNext();
        }

        @Override
        public void onError(Throwable t) {
            if (closed) {
                return;
            }
            OpenAiError error = t instanceof BackendException b
                    ? OpenAiError.from(b)
                    : new OpenAiError(500, "server_error", null, null, "the backend failed: " + t);
            if (!(t instanceof BackendException)) {
                LOG.warn("backend failure", t);
            }
            if (!headersSent) {
                sendError(response, error);
            } else {
                response.end(Buffer.buffer("data: " + error.toJson() + "\n\n"));
            }
            closed = true;
        }

        @Override
        public void onComplete() {
            if (closed) {
                return;
            }
            List<ObjectNode> tail;
            try {
                tail = assembler.finish();
            } catch (RuntimeException e) {
                onError(e);
                return;
            }
            if (call.stream()) {
                write(tail);
                if (!headersSent) {
                    startStream();
                }
                StringBuilder end = new StringBuilder();
                if (call.includeUsage()) {
                    end.append("data: ").append(assembler.usageChunk()).append("\n\n");
                }
                end.append("data: [DONE]\n\n");
                response.end(Buffer.buffer(end.toString()));
            } else {
                sendJson(response, 200, assembler.completion());
            }
            closed = true;
        }

        private void write(List<ObjectNode> chunks) {
            if (chunks.isEmpty()) {
                return;
            }
            if (!headersSent) {
                startStream();
            }
            StringBuilder sse = new StringBuilder();
            for (ObjectNode c : chunks) {
                sse.append("data: ").append(c).append("\n\n");
            }
            response.write(Buffer.buffer(sse.toString()));
        }

        private void startStream() {
            headersSent = true;
            response.setStatusCode(200);
            response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
            response.putHeader("Cache-Control", "no-cache");
            response.setChunked(true);
            response.write(Buffer.buffer("data: " + assembler.roleChunk() + "\n\n"));
        }

        private void requestNext() {
            if (response.writeQueueFull()) {
                response.drainHandler(v -> subscription.request(1));
            } else {
                subscription.request(1);
            }
        }
    }

    static void sendError(HttpServerResponse response, OpenAiError error) {
        if (error.retryAfter() != null && !response.headWritten()) {
            response.putHeader(
                    "Retry-After", Long.toString(Math.max(1, error.retryAfter().toSeconds())));
        }
        sendJson(response, error.status(), error.toJson());
    }

    static void sendJson(HttpServerResponse response, int status, JsonNode body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.toString());
    }
}
