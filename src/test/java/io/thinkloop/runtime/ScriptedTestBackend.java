package io.thinkloop.runtime;

import io.thinkloop.model.ChatMessage;
import java.util.Collections;
import io.smallrye.mutiny.Multi;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * Test double of a model backend for the loop's logic: per session, a queue of scripted completions
 * (functions of the request, so a script can also stall or fail) and the requests it received.
 * A session without script gets the answer "ok".
 */
@ApplicationScoped
public class ScriptedTestBackend implements ModelBackend {
    public static final String ID = "test-script";

    private final Map<String, ConcurrentLinkedDeque<Function<CompletionRequest, Multi<ModelChunk>>>> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<CompletionRequest>> requests = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return ID;
    }

    /** Scripts are keyed by the first user message's content, which each test makes unique. */
    static String key(CompletionRequest request) {
        return request.messages().stream().filter(m -> m.role() == ChatMessage.Role.USER)
                .findFirst().map(m -> m.content()).orElse("");
    }

    @SafeVarargs
    public final void script(String firstUserMessage, Function<CompletionRequest, Multi<ModelChunk>>... completions) {
        var q = scripts.computeIfAbsent(firstUserMessage, k -> new ConcurrentLinkedDeque<>());
        q.addAll(List.of(completions));
    }

    public List<CompletionRequest> requests(String firstUserMessage) {
        return requests.getOrDefault(firstUserMessage, List.of());
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        String key = key(request);
        requests.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(request);
        var q = scripts.get(key);
        var next = q == null ? null : q.poll();
        if (next == null) {
            return Multi.createFrom().items(parsed(new ParseEvent.TextDelta("ok")), parsed(new ParseEvent.End("stop")));
        }
        return next.apply(request);
    }

    // ---- script building blocks ----

    public static ModelChunk parsed(ParseEvent e) {
        return new ModelChunk.Parsed(e);
    }

    /** A completion that answers with text (after optional reasoning). */
    public static Function<CompletionRequest, Multi<ModelChunk>> answer(String reasoning, String text) {
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
    public static Function<CompletionRequest, Multi<ModelChunk>> callTools(String reasoning, String... nameArgs) {
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
}
