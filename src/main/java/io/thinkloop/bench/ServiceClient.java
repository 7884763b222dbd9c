package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one trial against a Thinkloop service as any client would: a WebSocket to
 * {@code /v1/sessions/{id}/ws}, one {@code user_message}, the events until the turn ends; then the transcript
 * over REST (for rollouts). The service is a black box; only its public protocol is used.
 */
public final class ServiceClient {
    /**
     * Turn error codes (docs/protocol.md) that are the infrastructure's fault, not the agent's: the trial is
     * re-queued. The model backend's own codes reach clients unchanged, so they are all here too.
     */
    static final Set<String> INFRA_CODES = Set.of(
            "backend_unavailable",
            "backend_error",
            "internal_error",
            "not_configured",
            "circuit_open",
            "rate_limited",
            "server_error",
            "http_error",
            "stream_error",
            "insufficient_system_resource",
            "bad_response",
            "stream_truncated",
            "stream_interrupted",
            "idle_timeout",
            "first_token_timeout",
            "connect_timeout",
            "connect_failed",
            "connection_lost",
            "cancelled",
            "client_error",
            "bad_request");

    private static final String SUBMIT = "submit_result";

    private final URI base;
    private final String apiKey;
    private final HttpClient http;

    public ServiceClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Before the first trial: the service answers at its URL, accepts the API key, and serves every tool the
     * suite's tasks need (by name, from {@code GET /v1/tools}). Otherwise each trial would only fail the same way.
     */
    void preflight(List<String> toolNames, String serverSpec) throws PreflightFailure, InterruptedException {
        URI tools = base.resolve(path("/v1/tools"));
        HttpRequest.Builder r =
                HttpRequest.newBuilder(tools).timeout(Duration.ofSeconds(30)).GET();
        boolean keyed = apiKey != null && !apiKey.isBlank();
        if (keyed) {
            r.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e.getMessage() != null
                    ? e.getMessage()
                    : e instanceof ConnectException ? "connection refused" : e.toString();
            throw new PreflightFailure("cannot connect to " + base + ": " + why);
        }
        int status = resp.statusCode();
        if (status == 401 || status == 403) {
            throw new PreflightFailure(
                    keyed
                            ? "the service at " + base + " rejected the API key (HTTP " + status
                                    + "); check --api-key / THINKLOOP_API_KEY"
                            : "the service at " + base + " requires an API key (HTTP " + status
                                    + "): pass --api-key or set THINKLOOP_API_KEY");
        }
        JsonNode list = null;
        if (status == 200) {
            try {
                list = Json.MAPPER.readTree(resp.body());
            } catch (IOException e) {
                list = null;
            }
        }
        if (list == null || !list.isArray()) {
            String body = resp.body() == null ? "" : resp.body().replaceAll("\\s+", " ");
            throw new PreflightFailure("GET " + tools + " answered HTTP " + status
                    + (body.isBlank() ? "" : " " + abbreviate(body)) + ": is this a Thinkloop service?");
        }
        Set<String> served = new HashSet<>();
        list.forEach(t -> served.add(t.path("name").asText()));
        List<String> missing =
                toolNames.stream().filter(n -> !served.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new PreflightFailure("the service at " + base + " does not serve the suite's tool server "
                    + serverSpec + " (missing tools: " + String.join(", ", missing)
                    + "); start it with thinkloop.tools.servers=" + serverSpec);
        }
    }

    /**
     * How the service describes its model, for the report: the agent's backend and the model ids from
     * {@code GET /v1/models}, and the embedded engine's checkpoint and untrained flag from {@code GET /v1/engine}
     * when that engine runs the turns. A service that does not say leaves fields null; the run goes on.
     */
    RunInfo describe(BenchConfig config) throws InterruptedException {
        JsonNode models = getJson("/v1/models");
        String backend = models == null ? null : models.path("agent_backend").asText(null);
        List<String> ids = new ArrayList<>();
        if (models != null) {
            models.path("data").forEach(m -> ids.add(m.path("id").asText()));
        }
        Boolean untrained = null;
        String notice = null;
        String checkpoint = null;
        JsonNode engine = getJson("/v1/engine");
        if (engine != null && engine.path("backend").asText("").equals(backend)) {
            untrained = engine.path("untrained").asBoolean();
            notice = engine.path("notice").asText(null);
            checkpoint = engine.path("checkpoint").asText(null);
        }
        return new RunInfo(
                base.toString(),
                backend,
                ids,
                untrained,
                notice,
                checkpoint,
                config.temperature(),
                config.topP(),
                config.seed(),
                config.trials());
    }

    private JsonNode getJson(String p) throws InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path(p)))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (apiKey != null && !apiKey.isBlank()) {
            r.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return resp.statusCode() == 200 ? Json.MAPPER.readTree(resp.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "...";
    }

    private URI ws(String sessionId) {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getAuthority() + path("/v1/sessions/" + sessionId + "/ws"));
    }

    private String path(String p) {
        String prefix = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        return prefix + p;
    }

    /** Runs the prompt as one turn of a new session; throws InfraError when the run says nothing about the agent. */
    TrialRun run(String sessionId, String prompt, Duration deadline, int maxSteps, ObjectNode sampling)
            throws InfraError, InterruptedException {
        LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (apiKey != null && !apiKey.isBlank()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        WebSocket socket;
        try {
            socket = b.buildAsync(ws(sessionId), new Listener(inbox)).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new InfraError("cannot connect to " + ws(sessionId) + ": " + c.getMessage(), c);
        }
        try {
            return converse(socket, inbox, sessionId, prompt, deadline, maxSteps, sampling);
        } finally {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // the connection is gone already
            } finally {
                socket.abort();
            }
        }
    }

    private TrialRun converse(
            WebSocket socket,
            LinkedBlockingQueue<Object> inbox,
            String sessionId,
            String prompt,
            Duration deadline,
            int maxSteps,
            ObjectNode sampling)
            throws InfraError, InterruptedException {
        ObjectNode msg = Json.MAPPER
                .createObjectNode()
                .put("type", "user_message")
                .put("content", prompt)
                .put("includeTokens", true); // token ids and logprobs for the rollouts
        if (sampling != null) {
            msg.set("sampling", sampling);
        }
        TokenLog tokens = new TokenLog();
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        socket.sendText(msg.toString(), true);
        long ttft = -1;
        int toolCalls = 0, toolErrors = 0, steps = 0, prompt0 = 0, completion = 0, reasoning = 0;
        JsonNode submission = null;
        Map<String, JsonNode> submitted = new HashMap<>(); // submit_result calls awaiting the tool's verdict
        String termination = null;
        boolean output = false;
        boolean cancelSent = false;
        boolean stepCapped = false;
        String infra = null;
        while (termination == null) {
            long left = end - System.nanoTime();
            if (left <= 0 && !cancelSent) {
                socket.sendText("{\"type\":\"cancel\"}", true);
                cancelSent = true;
                end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                if (!output) {
                    throw new InfraError("no model output within the deadline of " + deadline.toSeconds() + "s");
                }
                termination = "deadline";
                break;
            } else if (left <= 0) {
                termination = "deadline";
                break;
            }
            Object item = inbox.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            if (item == null) {
                continue;
            }
            if (item instanceof Closed c) {
                throw new InfraError(
                        "connection closed by the service (" + c.code() + " " + c.reason() + ") before the turn ended");
            }
            JsonNode e = (JsonNode) item;
            switch (e.path("type").asText()) {
                case "reasoning.delta", "text.delta", "tool_call.started" -> {
                    output = true;
                    if (ttft < 0) {
                        ttft = (System.nanoTime() - start) / 1_000_000;
                    }
                    if (maxSteps > 0 && steps >= maxSteps && !cancelSent) {
                        // generation maxSteps + 1 has started: over the cap
                        socket.sendText("{\"type\":\"cancel\"}", true);
                        cancelSent = true;
                        stepCapped = true;
                        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    }
                }
                case "tool_call.completed" -> {
                    output = true;
                    toolCalls++;
                    if (SUBMIT.equals(e.path("name").asText()) && !stepCapped) { // a call past the cap does not count
                        try {
                            submitted.put(
                                    e.path("toolCallId").asText(),
                                    Json.MAPPER.readTree(e.path("arguments").asText()));
                        } catch (IOException ex) {
                            // unreadable arguments: the tool refuses them too, so nothing is submitted
                        }
                    }
                }
                case "tool.result" -> {
                    boolean refused = e.path("isError").asBoolean()
                            || !e.path("status").asText("ok").equals("ok");
                    if (refused) {
                        toolErrors++;
                    }
                    // An answer counts only once the tool has accepted it: what the model wrote is not what the
                    // environment recorded when the tool refused it (wrong fields, invalid values).
                    JsonNode arguments = submitted.remove(e.path("toolCallId").asText());
                    if (arguments != null && !refused) {
                        submission = arguments;
                    }
                }
                case "usage" -> {
                    steps++;
                    prompt0 += e.path("promptTokens").asInt();
                    completion += e.path("completionTokens").asInt();
                    reasoning += e.path("reasoningTokens").asInt();
                }
                case "error" -> {
                    if (e.path("seq").asLong() > 0
                            && INFRA_CODES.contains(e.path("code").asText())) {
                        infra = e.path("code").asText() + ": "
                                + e.path("message").asText();
                    }
                }
                case "tokens" -> tokens.add(e);
                case "turn.completed" ->
                    termination =
                            stepCapped ? "step_cap" : e.path("finishReason").asText("stop");
                case "cancelled" -> termination = stepCapped ? "step_cap" : "cancelled";
                default -> {}
            }
        }
        if (infra != null) {
            throw new InfraError(infra);
        }
        long latency = (System.nanoTime() - start) / 1_000_000;
        return new TrialRun(
                sessionId,
                submission,
                toolCalls,
                toolErrors,
                steps,
                prompt0,
                completion,
                reasoning,
                ttft,
                latency,
                termination,
                transcript(sessionId),
                tokens.toJson());
    }

    /**
     * The {@code tokens} events of a turn, in order, grouped per generation ({@code step}): the ids concatenated,
     * and the logprobs too unless some event lacked them (then null, so ids and logprobs never misalign).
     */
    static final class TokenLog {
        private final ArrayNode generations = Json.MAPPER.createArrayNode();
        private ObjectNode current;
        private int currentStep = -1;
        private boolean logprobsComplete;

        void add(JsonNode e) {
            JsonNode ids = e.path("ids");
            if (!ids.isArray()) {
                return;
            }
            int step = e.path("step").asInt(0);
            if (current == null || step != currentStep) {
                current = generations.addObject().put("step", step);
                current.putArray("tokenIds");
                current.putArray("logprobs");
                currentStep = step;
                logprobsComplete = true;
            }
            ((ArrayNode) current.get("tokenIds")).addAll((ArrayNode) ids);
            JsonNode lp = e.path("logprobs");
            if (logprobsComplete && lp.isArray() && lp.size() == ids.size()) {
                ((ArrayNode) current.get("logprobs")).addAll((ArrayNode) lp);
            } else if (logprobsComplete) {
                logprobsComplete = false;
                current.putNull("logprobs");
            }
        }

        /** Null when no tokens event came. */
        JsonNode toJson() {
            return generations.isEmpty() ? null : generations;
        }
    }

    /** The session's messages (OpenAI chat shape), or null when the service does not give them. */
    JsonNode transcript(String sessionId) throws InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path("/v1/sessions/" + sessionId + "/transcript")))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (apiKey != null && !apiKey.isBlank()) {
            r.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return resp.statusCode() == 200 ? Json.MAPPER.readTree(resp.body()).path("messages") : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Deletes a session left by a re-queued attempt (best effort). */
    void delete(String sessionId) {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path("/v1/sessions/" + sessionId)))
                .timeout(Duration.ofSeconds(10))
                .DELETE();
        if (apiKey != null && !apiKey.isBlank()) {
            r.header("Authorization", "Bearer " + apiKey);
        }
        http.sendAsync(r.build(), HttpResponse.BodyHandlers.discarding()).exceptionally(t -> null);
    }

    private record Closed(int code, String reason) {}

    private static final class Listener implements WebSocket.Listener {
        private final LinkedBlockingQueue<Object> inbox;
        private final StringBuilder buf = new StringBuilder();

        Listener(LinkedBlockingQueue<Object> inbox) {
            this.inbox = inbox;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
                try {
                    inbox.add(Json.MAPPER.readTree(buf.toString()));
                } catch (IOException e) {
                    // not JSON: ignore the frame
                }
                buf.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            inbox.add(new Closed(status, reason));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            inbox.add(new Closed(-1, String.valueOf(error.getMessage())));
        }
    }
}
