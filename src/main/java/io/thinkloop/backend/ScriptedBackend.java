package io.thinkloop.backend;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * TEST AND DEMO BACKEND, not a model: replays completions from a script file
 * ({@code thinkloop.model.scripted.script}), one per request, in order, starting over at the end. It
 * lets the whole service (journal, restart, clients) be exercised in a separate process without model
 * weights. Select it with {@code thinkloop.model.backend=scripted}.
 *
 * <p>The script is a JSON array of completions; a completion is an array of steps, each one of
 * {@code {"reasoning": "..."}}, {@code {"text": "..."}}, {@code {"tool": "name", "arguments": {...}}}
 * (emitted as already-parsed events) or {@code {"raw": "..."}} (model text for the streaming parser).
 * {@code thinkloop.model.scripted.delay} spaces the chunks out.
 */
@ApplicationScoped
public class ScriptedBackend implements ModelBackend {

    @ConfigProperty(name = "thinkloop.model.scripted.script")
    Optional<Path> scriptFile;

    @ConfigProperty(name = "thinkloop.model.scripted.delay", defaultValue = "0ms")
    Duration delay;

    private final AtomicLong next = new AtomicLong();
    private volatile List<List<ModelChunk>> script;

    @Override
    public String id() {
        return "scripted";
    }

    /** Offered only when a script is configured. */
    @Override
    public boolean available() {
        return scriptFile.isPresent();
    }

    @Override
    public String notice() {
        return "Test/demo backend, not a model: replays the completions of "
                + scriptFile.map(Path::toString).orElse("(no script)") + ".";
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        List<List<ModelChunk>> s = script();
        List<ModelChunk> completion = s.get((int) (next.getAndIncrement() % s.size()));
        Multi<ModelChunk> chunks = Multi.createFrom().iterable(completion);
        if (!delay.isZero()) {
            chunks = chunks.onItem()
                    .call(c -> Uni.createFrom().nullItem().onItem().delayIt().by(delay));
        }
        return chunks;
    }

    private List<List<ModelChunk>> script() {
        if (script == null) {
            Path file = scriptFile.orElseThrow(() -> new IllegalStateException(
                    "the scripted backend needs thinkloop.model.scripted.script (a JSON file of completions)"));
            try {
                script = parse(Json.MAPPER.readTree(Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read script " + file, e);
            }
        }
        return script;
    }

    /** Turns the script's JSON into chunks; public so tests and tools can check a script. */
    public static List<List<ModelChunk>> parse(JsonNode root) {
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("a script is a non-empty JSON array of completions");
        }
        List<List<ModelChunk>> completions = new ArrayList<>();
        for (JsonNode completion : root) {
            List<ModelChunk> chunks = new ArrayList<>();
            int toolIndex = 0;
            boolean tools = false;
            boolean raw = false;
            for (JsonNode step : completion) {
                if (step.has("reasoning")) {
                    chunks.add(new ModelChunk.Parsed(
                            new ParseEvent.ReasoningDelta(step.get("reasoning").asText())));
                } else if (step.has("text")) {
                    chunks.add(new ModelChunk.Parsed(
                            new ParseEvent.TextDelta(step.get("text").asText())));
                } else if (step.has("tool")) {
                    String name = step.get("tool").asText();
                    String args = step.has("arguments") ? step.get("arguments").toString() : "{}";
                    chunks.add(new ModelChunk.Parsed(new ParseEvent.ToolCallStarted(toolIndex, name)));
                    chunks.add(new ModelChunk.Parsed(new ParseEvent.ToolCallArgumentsDelta(toolIndex, args)));
                    chunks.add(new ModelChunk.Parsed(new ParseEvent.ToolCallCompleted(toolIndex, name, args)));
                    toolIndex++;
                    tools = true;
                } else if (step.has("raw")) {
                    chunks.add(new ModelChunk.Text(step.get("raw").asText()));
                    raw = true;
                } else {
                    throw new IllegalArgumentException("unknown script step " + step);
                }
            }
            if (!raw) {
                chunks.add(new ModelChunk.Parsed(new ParseEvent.End(tools ? "tool_calls" : "stop")));
            }
            completions.add(List.copyOf(chunks));
        }
        return List.copyOf(completions);
    }
}
