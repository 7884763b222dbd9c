package io.thinkloop.testkit;

import io.smallrye.mutiny.Multi;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The configurable model-backend test double: scripted completions (functions of the request, so a script
 * can also stall, fail or answer from the request), queued per conversation (the first user message, which
 * each test makes unique) or for any conversation; the requests it received; how many streams were cancelled.
 * A conversation with nothing scripted gets the answer "ok", or what {@link #otherwise} says. Plain Java: a unit test news one up, a service
 * test subclasses it as a CDI bean.
 */
public class FakeBackend implements ModelBackend {
    /** One completion: the chunks a backend streams for a request. */
    public interface Completion extends Function<CompletionRequest, Multi<ModelChunk>> {}

    private static final String ANY = "\u0000any";

    private final String id;
    private final Map<String, ConcurrentLinkedDeque<Function<CompletionRequest, Multi<ModelChunk>>>> scripts =
            new ConcurrentHashMap<>();
    private final Map<String, List<CompletionRequest>> requests = new ConcurrentHashMap<>();
    private final List<CompletionRequest> all = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger cancellations = new AtomicInteger();
    private volatile Function<CompletionRequest, Multi<ModelChunk>> otherwise =
            r -> Multi.createFrom().items(parsed(new ParseEvent.TextDelta("ok")), parsed(new ParseEvent.End("stop")));
    private volatile CompletionRequest lastRequest;

    public FakeBackend(String id) {
        this.id = id;
    }

    /** A double whose unscripted requests go to {@code otherwise} (a model simulation). */
    protected FakeBackend(String id, Function<CompletionRequest, Multi<ModelChunk>> otherwise) {
        this.id = id;
        this.otherwise = otherwise;
    }

    /** What answers a request with nothing scripted (default: the answer "ok"); a model simulation goes here. */
    public FakeBackend otherwise(Function<CompletionRequest, Multi<ModelChunk>> completion) {
        this.otherwise = completion;
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    /** The conversation a request belongs to: its first user message. */
    public static String key(CompletionRequest request) {
        return request.messages().stream()
                .filter(m -> m.role() == ChatMessage.Role.USER)
                .findFirst()
                .map(ChatMessage::content)
                .orElse("");
    }

    /** Queues completions for the conversation whose first user message is {@code firstUserMessage}. */
    @SafeVarargs
    public final void script(String firstUserMessage, Function<CompletionRequest, Multi<ModelChunk>>... completions) {
        scripts.computeIfAbsent(firstUserMessage, k -> new ConcurrentLinkedDeque<>())
                .addAll(List.of(completions));
    }

    /** Queues completions for any conversation without a script of its own. */
    @SafeVarargs
    public final FakeBackend thenAnswer(Function<CompletionRequest, Multi<ModelChunk>>... completions) {
        script(ANY, completions);
        return this;
    }

    public List<CompletionRequest> requests(String firstUserMessage) {
        return requests.getOrDefault(firstUserMessage, List.of());
    }

    /** Every request, in the order they came. */
    public List<CompletionRequest> requests() {
        return List.copyOf(all);
    }

    /** The last request received. */
    public CompletionRequest lastRequest() {
        return lastRequest;
    }

    /** Streams a subscriber cancelled before they ended. */
    public int cancellations() {
        return cancellations.get();
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        String key = key(request);
        requests.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(request);
        all.add(request);
        lastRequest = request;
        var q = scripts.get(key);
        var next = q == null ? null : q.poll();
        if (next == null) {
            var any = scripts.get(ANY);
            next = any == null ? null : any.poll();
        }
        Multi<ModelChunk> chunks = (next == null ? otherwise : next).apply(request);
        return chunks.onCancellation().invoke(cancellations::incrementAndGet);
    }

    // ---- script building blocks ----

    public static ModelChunk parsed(ParseEvent e) {
        return new ModelChunk.Parsed(e);
    }

    /** A completion that answers with text (after optional reasoning). */
    public static Completion answer(String reasoning, String text) {
        return r -> {
            List<ModelChunk> chunks = new ArrayList<>();
            if (reasoning != null) {
                chunks.add(parsed(new ParseEvent.ReasoningDelta(reasoning)));
            }
            chunks.add(parsed(new ParseEvent.TextDelta(text)));
            chunks.add(new ModelChunk.Usage(10, 5, reasoning == null ? 0 : 3));
            chunks.add(parsed(new ParseEvent.End("stop")));
            return Multi.createFrom().iterable(chunks);
        };
    }

    /** A completion that calls tools: name/arguments-JSON pairs, in order. */
    public static Completion callTools(String reasoning, String... nameArgs) {
        return r -> {
            List<ModelChunk> chunks = new ArrayList<>();
            if (reasoning != null) {
                chunks.add(parsed(new ParseEvent.ReasoningDelta(reasoning)));
            }
            for (int i = 0; i < nameArgs.length / 2; i++) {
                String name = nameArgs[2 * i];
                String args = nameArgs[2 * i + 1];
                chunks.add(parsed(new ParseEvent.ToolCallStarted(i, name)));
                chunks.add(parsed(new ParseEvent.ToolCallArgumentsDelta(i, args)));
                chunks.add(parsed(new ParseEvent.ToolCallCompleted(i, name, args)));
            }
            chunks.add(parsed(new ParseEvent.End("tool_calls")));
            return Multi.createFrom().iterable(chunks);
        };
    }

    /** A completion whose stream fails with {@code error} (after the chunks given). */
    public static Completion failing(Throwable error, ModelChunk... before) {
        return r -> Multi.createFrom().iterable(List.of(before)).onCompletion().failWith(error);
    }

    /** A completion that never says anything (until cancelled). */
    public static Completion silent() {
        return r -> Multi.createFrom().emitter(e -> {});
    }
}
