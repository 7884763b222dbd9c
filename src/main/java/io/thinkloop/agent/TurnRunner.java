package io.thinkloop.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.backend.BackendSelector;
import io.thinkloop.codec.AgentPrompt;
import io.thinkloop.codec.CodecException;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.codec.StreamingParser;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.session.ActiveTurn;
import io.thinkloop.session.JournalWriteException;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.ToolStatus;
import io.thinkloop.tools.ApprovalPolicy;
import io.thinkloop.tools.ArgumentValidator;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One turn of the thinking-in-tool-use loop, run on a virtual thread: encode the conversation, stream
 * the model, parse, forward events; run the tool calls in parallel, append their results in the
 * model's order and generate again, until the model answers without tools or a limit ends the turn.
 *
 * <p>Everything asynchronous (model chunks, tool results, approvals, cancel) arrives through one inbox,
 * so the turn's logic is sequential and a single {@link #cancel} wakes it wherever it waits: before
 * the first token, mid-generation, during tool calls or an approval. The session history keeps the
 * reasoning of every step; {@link DeepSeekV32Codec#encode} with {@code dropThinking} decides what a
 * prompt shows (reasoning of the current turn kept across tool calls, dropped before earlier users).
 */
final class TurnRunner implements ActiveTurn, Runnable {
    private static final Logger LOG = Logger.getLogger(TurnRunner.class);
    private static final Object CANCEL = new Object();

    private record Chunk(int step, ModelChunk chunk) {}

    private record StreamFailed(int step, Throwable error) {}

    private record StreamDone(int step) {}

    private record ToolDone(int step, int index, ToolResult result, ToolStatus status, long latencyMs) {}

    private record Decision(String toolCallId, boolean approved, String reason) {}

    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    private static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() {
            super(null, null, false, false);
        }
    }

    /** The turn cannot go on: reported as an {@code error} event, then {@code turn.completed(error)}. */
    static final class TurnFailure extends RuntimeException {
        final ErrorCode code;
        final boolean retryable;

        TurnFailure(ErrorCode code, String message, boolean retryable) {
            super(message, null, false, false);
            this.code = code;
            this.retryable = retryable;
        }

        TurnFailure(ErrorCode code, String message) {
            this(code, message, code.retryable());
        }

        /**
         * A failed model stream: a backend's own code and {@code retryable} reach the client unchanged (an open
         * circuit stays {@code circuit_open}, not retryable); anything else is a retryable {@code backend_error}.
         */
        static TurnFailure ofBackend(Throwable error, String what) {
            if (error instanceof BackendException b) {
                return new TurnFailure(b.code(), what + ": " + b.getMessage(), b.retryable());
            }
            return new TurnFailure(ErrorCode.BACKEND_ERROR, what + ": " + error.getMessage());
        }
    }

    /** What one generation produced. */
    private static final class Generation {
        final StringBuilder reasoning = new StringBuilder();
        final StringBuilder content = new StringBuilder();
        final Map<Integer, String> ids = new HashMap<>();
        final List<Map.Entry<Integer, ToolCall>> calls = new ArrayList<>();
        String end;

        List<ToolCall> toolCalls() {
            return calls.stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(Map.Entry::getValue)
                    .toList();
        }

        ChatMessage message(boolean withTools) {
            List<ToolCall> tc = withTools && !calls.isEmpty()
                    ? toolCalls().stream().map(Generation::encodable).toList()
                    : null;
            return ChatMessage.assistant(content.toString(), reasoning.isEmpty() ? null : reasoning.toString(), tc);
        }

        boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }

        /**
         * The call as the history keeps it. Arguments that are not a JSON object (only possible from
         * backends that send pre-parsed calls) cannot be written in the prompt format, so the history
         * keeps {@code {}} and the call's error result tells the model what was wrong.
         */
        static ToolCall encodable(ToolCall call) {
            try {
                var node = Json.MAPPER.readTree(call.arguments() == null ? "" : call.arguments());
                if (node != null && node.isObject()) {
                    return call;
                }
            } catch (JsonProcessingException e) {
                // fall through
            }
            return new ToolCall(call.id(), call.name(), "{}");
        }
    }

    private final Session session;
    private final String content;
    private final TurnLimits limits;
    private final BackendSelector backends;
    private final ToolRegistry registry;
    private final ApprovalPolicy approvals;
    private final String systemPrompt;
    private final ExecutorService virtualThreads;
    private final boolean includeTokens;
    private final SamplingSettings sampling;
    private final String turnId =
            "turn_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Set<Cancellable> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> pendingApprovals = new ConcurrentHashMap<>();
    private volatile Cancellable modelSubscription;
    private volatile boolean cancelled;
    private volatile String cancelReason = "cancelled";
    private long deadlineNanos;
    private int steps;

    // What must be closed in the history if the turn stops half-way.
    private Generation generating;
    private List<ToolCall> openCalls;
    private ToolResult[] openResults;

    TurnRunner(
            Session session,
            String content,
            TurnLimits limits,
            BackendSelector backends,
            ToolRegistry registry,
            ApprovalPolicy approvals,
            String systemPrompt,
            ExecutorService virtualThreads,
            boolean includeTokens,
            SamplingSettings sampling) {
        this.session = session;
        this.content = content;
        this.limits = limits;
        this.backends = backends;
        this.registry = registry;
        this.approvals = approvals;
        this.systemPrompt = systemPrompt;
        this.virtualThreads = virtualThreads;
        this.includeTokens = includeTokens;
        this.sampling = sampling;
    }

    @Override
    public String turnId() {
        return turnId;
    }

    /** On the caller's thread: the user message is journaled before the turn is acknowledged. */
    void begin() {
        deadlineNanos = System.nanoTime() + limits.turnTimeout().toNanos();
        session.append(ChatMessage.user(content));
        emit(new ServerEvent.TurnStarted(content));
    }

    @Override
    public void cancel(String reason) {
        if (cancelled) {
            return;
        }
        cancelReason = reason == null ? "cancelled" : reason;
        cancelled = true;
        stopEverything();
        inbox.add(CANCEL);
    }

    @Override
    public boolean decide(String toolCallId, boolean approved, String reason) {
        if (toolCallId == null || !pendingApprovals.containsKey(toolCallId)) {
            return false;
        }
        inbox.add(new Decision(toolCallId, approved, reason));
        return true;
    }

    private void stopEverything() {
        Cancellable m = modelSubscription;
        if (m != null) {
            m.cancel();
        }
        running.forEach(Cancellable::cancel);
    }

    private void emit(ServerEvent event) {
        session.emit(turnId, event);
    }

    @Override
    public void run() {
        ServerEvent last = null;
        try {
            String finish = loop();
            last = new ServerEvent.TurnCompleted(finish, steps);
        } catch (Cancelled c) {
            closeHistory("cancelled", ToolStatus.CANCELLED);
            last = new ServerEvent.Cancelled(cancelReason);
        } catch (DeadlinePassed d) {
            stopEverything();
            closeHistory("turn deadline passed", ToolStatus.TIMEOUT);
            emit(ServerEvent.Error.of(ErrorCode.TURN_DEADLINE, "the turn ran longer than " + limits.turnTimeout()));
            last = new ServerEvent.TurnCompleted("deadline", steps);
        } catch (TurnFailure f) {
            stopEverything();
            closeHistory(f.getMessage(), ToolStatus.CANCELLED);
            emit(new ServerEvent.Error(f.code, f.getMessage(), f.retryable));
            last = new ServerEvent.TurnCompleted("error", steps);
        } catch (RuntimeException e) {
            LOG.errorf(e, "turn %s of session %s failed", turnId, session.id());
            stopEverything();
            try {
                closeHistory("internal error", ToolStatus.CANCELLED);
                emit(
                        e instanceof JournalWriteException
                                ? new ServerEvent.Error(
                                        ErrorCode.JOURNAL_WRITE_FAILED, String.valueOf(e.getMessage()), true)
                                : ServerEvent.Error.of(ErrorCode.INTERNAL_ERROR, String.valueOf(e.getMessage())));
                last = new ServerEvent.TurnCompleted("error", steps);
            } catch (RuntimeException again) {
                LOG.errorf(again, "could not report the failure of turn %s", turnId);
            }
        } finally {
            try {
                session.endTurn(this, last);
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not end turn %s", turnId);
            }
        }
    }

    private String loop() {
        ModelBackend backend = backends.selected()
                .orElseThrow(() -> new TurnFailure(
                        ErrorCode.BACKEND_UNAVAILABLE,
                        "model backend '" + backends.configuredId()
                                + "' is not available (thinkloop.model.backend; available: "
                                + String.join(", ", backends.availableIds()) + ")"));
        for (int step = 0; ; step++) {
            boolean lastStep = step >= limits.maxSteps();
            List<Tool> tools = lastStep ? List.of() : registry.list();
            Generation g = generate(backend, step, tools);
            steps = step + 1;
            if ("length".equals(g.end)) {
                session.append(g.message(false));
                generating = null;
                return "length";
            }
            if (g.calls.isEmpty() || lastStep) {
                session.append(g.message(false));
                generating = null;
                return lastStep ? "max_steps" : "stop";
            }
            List<ToolCall> calls = g.toolCalls();
            session.append(g.message(true));
            generating = null;
            openCalls = calls;
            openResults = new ToolResult[calls.size()];
            runTools(step, calls, tools);
            for (int i = 0; i < calls.size(); i++) {
                session.append(ChatMessage.tool(calls.get(i).id(), openResults[i].text()));
            }
            openCalls = null;
            openResults = null;
        }
    }

    // ---- generation ----

    private Generation generate(ModelBackend backend, int step, List<Tool> tools) {
        checkCancelled();
        List<ToolSpec> specs =
                AgentPrompt.offered(tools.stream().map(Tool::spec).toList());
        List<ChatMessage> messages = AgentPrompt.conversation(systemPrompt, specs, session.history());
        String prompt = encode(messages);
        CompletionRequest request = new CompletionRequest(
                messages,
                specs,
                AgentPrompt.MODE,
                prompt,
                sampling == null
                        ? CompletionRequest.Sampling.greedy(limits.maxTokens())
                        : sampling.forStep(limits.maxTokens(), step));
        Generation g = new Generation();
        generating = g;
        try {
            modelSubscription = backend.stream(request)
                    .subscribe()
                    .with(
                            c -> inbox.add(new Chunk(step, c)),
                            e -> inbox.add(new StreamFailed(step, e)),
                            () -> inbox.add(new StreamDone(step)));
        } catch (RuntimeException e) {
            throw TurnFailure.ofBackend(e, "model backend failed to start");
        }
        if (cancelled) {
            stopEverything(); // cancel raced with the subscription
        }
        StreamingParser parser = null;
        boolean streamEnded = false;
        try {
            while (true) {
                Object item = next();
                if (item instanceof Chunk c && c.step() == step) {
                    switch (c.chunk()) {
                        case ModelChunk.Parsed p -> handle(g, step, p.event());
                        case ModelChunk.Text t -> {
                            if (parser == null) {
                                parser = newParser(specs);
                            }
                            for (ParseEvent e : parser.feed(t.text())) {
                                handle(g, step, e);
                            }
                            if (includeTokens && t.tokenIds() != null && t.tokenIds().length > 0) {
                                emit(new ServerEvent.Tokens(step, t.tokenIds(), t.logprobs()));
                            }
                        }
                        case ModelChunk.Usage u ->
                            emit(new ServerEvent.Usage(u.promptTokens(), u.completionTokens(), u.reasoningTokens()));
                    }
                } else if (item instanceof StreamDone d && d.step() == step) {
                    if (parser != null) {
                        for (ParseEvent e : parser.finish()) {
                            handle(g, step, e);
                        }
                    }
                    if (g.end == null) {
                        g.end = g.calls.isEmpty() ? "stop" : "tool_calls";
                    }
                    streamEnded = true;
                    return g;
                } else if (item instanceof StreamFailed f && f.step() == step) {
                    throw TurnFailure.ofBackend(f.error(), "model stream failed");
                }
                // anything else is stale (an earlier step's late signal) and is dropped
            }
        } catch (CodecException e) {
            throw new TurnFailure(ErrorCode.PARSE_ERROR, "the model's output could not be parsed: " + e.getMessage());
        } finally {
            Cancellable m = modelSubscription;
            modelSubscription = null;
            if (!streamEnded && m != null) {
                m.cancel(); // deadline, parse error, failure: the model must stop generating too
            }
        }
    }

    private static String encode(List<ChatMessage> messages) {
        try {
            return AgentPrompt.encode(messages);
        } catch (CodecException e) {
            throw new TurnFailure(
                    ErrorCode.INVALID_CONVERSATION, "the conversation cannot be encoded: " + e.getMessage());
        }
    }

    private static StreamingParser newParser(List<ToolSpec> specs) {
        return StreamingParser.lenient(AgentPrompt.MODE, specs);
    }

    private void handle(Generation g, int step, ParseEvent event) {
        switch (event) {
            case ParseEvent.ReasoningDelta r -> {
                if (!r.text().isEmpty()) {
                    g.reasoning.append(r.text());
                    emit(new ServerEvent.ReasoningDelta(r.text()));
                }
            }
            case ParseEvent.TextDelta t -> {
                if (!t.text().isEmpty()) {
                    g.content.append(t.text());
                    emit(new ServerEvent.TextDelta(t.text()));
                }
            }
            case ParseEvent.ToolCallStarted s ->
                emit(new ServerEvent.ToolCallStarted(callId(g, s.index()), s.index(), s.name()));
            case ParseEvent.ToolCallArgumentsDelta a ->
                emit(new ServerEvent.ToolCallArgumentsDelta(callId(g, a.index()), a.index(), a.delta()));
            case ParseEvent.ToolCallCompleted c -> {
                String id = callId(g, c.index());
                g.calls.add(Map.entry(c.index(), new ToolCall(id, c.name(), c.argumentsJson())));
                emit(new ServerEvent.ToolCallCompleted(id, c.index(), c.name(), c.argumentsJson()));
            }
            case ParseEvent.End e -> g.end = e.reason();
        }
        if (!event.repairs().isEmpty()) {
            LOG.debugf("turn %s step %d: lenient repairs %s", turnId, step, event.repairs());
        }
    }

    private static String callId(Generation g, int index) {
        return g.ids.computeIfAbsent(
                index,
                i -> "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
    }

    // ---- tools ----

    private void runTools(int step, List<ToolCall> calls, List<Tool> tools) {
        Map<String, Tool> byName =
                tools.stream().collect(Collectors.toMap(t -> t.spec().name(), t -> t, (a, b) -> a));
        Map<String, Integer> indexOf = new HashMap<>();
        Object[] validArgs = new Object[calls.size()];
        int remaining = calls.size();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            indexOf.put(call.id(), i);
            Tool tool = byName.get(call.name());
            if (tool == null) {
                complete(
                        i,
                        call,
                        ToolResult.error("unknown tool '" + call.name() + "'; available tools: "
                                + (byName.isEmpty()
                                        ? "none"
                                        : byName.keySet().stream().sorted().collect(Collectors.joining(", ")))),
                        ToolStatus.ERROR,
                        0);
                remaining--;
                continue;
            }
            switch (ArgumentValidator.validate(tool, call.arguments())) {
                case ArgumentValidator.Invalid invalid -> {
                    complete(i, call, ToolResult.error(invalid.message()), ToolStatus.ERROR, 0);
                    remaining--;
                }
                case ArgumentValidator.Valid valid -> {
                    validArgs[i] = valid.arguments();
                    if (approvals.approvalFor(tool) == Tool.Approval.ASK) {
                        pendingApprovals.put(call.id(), i);
                        emit(new ServerEvent.ApprovalRequested(call.id(), call.name(), call.arguments()));
                    } else {
                        start(step, i, call, tool, valid.arguments());
                    }
                }
            }
        }
        while (remaining > 0) {
            Object item = next();
            if (item instanceof ToolDone d && d.step() == step && openResults[d.index()] == null) {
                complete(d.index(), calls.get(d.index()), d.result(), d.status(), d.latencyMs());
                remaining--;
            } else if (item instanceof Decision d && pendingApprovals.remove(d.toolCallId()) != null) {
                int i = indexOf.get(d.toolCallId());
                ToolCall call = calls.get(i);
                if (d.approved()) {
                    start(step, i, call, byName.get(call.name()), (JsonNode) validArgs[i]);
                } else {
                    complete(
                            i,
                            call,
                            ToolResult.error("denied by user"
                                    + (d.reason() == null || d.reason().isBlank() ? "" : ": " + d.reason())),
                            ToolStatus.DENIED,
                            0);
                    remaining--;
                }
            }
        }
        running.clear();
    }

    private void start(int step, int index, ToolCall call, Tool tool, JsonNode args) {
        emit(new ServerEvent.ToolExecuting(call.id(), call.name()));
        long t0 = System.nanoTime();
        ToolCallContext ctx = new ToolCallContext(
                session.id(), turnId, call.id(), (p, m) -> LOG.debugf("tool %s progress %s %s", call.id(), p, m));
        long timeoutMs = limits.toolTimeout().toMillis();
        Cancellable[] handle = new Cancellable[1];
        handle[0] = Uni.createFrom()
                .deferred(() -> tool.call(args, ctx))
                .runSubscriptionOn(virtualThreads)
                .ifNoItem()
                .after(limits.toolTimeout())
                .failWith(TimeoutException::new)
                .subscribe()
                .with(
                        r -> inbox.add(
                                r == null
                                        ? new ToolDone(
                                                step,
                                                index,
                                                ToolResult.error("the tool returned no result"),
                                                ToolStatus.ERROR,
                                                ms(t0))
                                        : new ToolDone(
                                                step,
                                                index,
                                                r,
                                                r.isError() ? ToolStatus.ERROR : ToolStatus.OK,
                                                ms(t0))),
                        e -> inbox.add(
                                e instanceof TimeoutException
                                        ? new ToolDone(
                                                step,
                                                index,
                                                ToolResult.error("tool timed out after " + timeoutMs + " ms"),
                                                ToolStatus.TIMEOUT,
                                                ms(t0))
                                        : new ToolDone(
                                                step,
                                                index,
                                                ToolResult.error("tool failed: " + e.getMessage()),
                                                ToolStatus.ERROR,
                                                ms(t0))));
        running.add(handle[0]);
        if (cancelled) {
            handle[0].cancel();
        }
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private void complete(int index, ToolCall call, ToolResult result, ToolStatus status, long latencyMs) {
        openResults[index] = result;
        emit(new ServerEvent.ToolResultEvent(
                call.id(), call.name(), result.text(), result.structured(), result.isError(), status, latencyMs));
    }

    // ---- waiting ----

    private void checkCancelled() {
        if (cancelled) {
            throw new Cancelled();
        }
    }

    /** The next inbox item; throws when the turn is cancelled or its deadline passes. */
    private Object next() {
        checkCancelled();
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new DeadlinePassed();
        }
        Object item;
        try {
            item = inbox.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cancelled();
        }
        if (item == null) {
            throw new DeadlinePassed();
        }
        if (item == CANCEL) {
            throw new Cancelled();
        }
        return item;
    }

    /** Keeps the history well-formed when the turn stops half-way: every call gets a result, {@code why} with {@code status}. */
    private void closeHistory(String why, ToolStatus status) {
        Generation g = generating;
        if (g != null && !g.isEmpty()) {
            session.append(g.message(false));
        }
        generating = null;
        if (openCalls != null) {
            for (int i = 0; i < openCalls.size(); i++) {
                ToolCall call = openCalls.get(i);
                ToolResult r = openResults[i];
                if (r == null) {
                    r = ToolResult.error(why);
                    emit(new ServerEvent.ToolResultEvent(call.id(), call.name(), r.text(), null, true, status, 0));
                }
                session.append(ChatMessage.tool(call.id(), r.text()));
            }
            openCalls = null;
            openResults = null;
        }
        pendingApprovals.clear();
    }
}
