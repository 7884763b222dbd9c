package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.TaskEnvironment;
import io.thinkloop.synth.ToolInvoker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test double of the model only: reads the task id from the prompt, runs the task's reference solution against
 * the tool results already in the conversation and asks for the next batch of calls it needs, written as DSML
 * text (so the real codec parses it); then submits. Modes: SOLVE submits the reference answer, WRONG a
 * perturbed one, FLAKY fails each task's first generation once (a backend error) and then solves, MIXED solves tasks whose number is not a multiple of 3 and, for the others, first makes one
 * failing tool call and then submits a wrong answer; DELEGATE hands the request to another backend (the
 * embedded engine once it is there); REJECTED submits the right plan with one field the tool does not accept.
 */
@ApplicationScoped
public class BenchSolverBackend implements ModelBackend {
    public static final String ID = "bench-solver";
    public static final String BOGUS_HOTEL = "Nowhere Inn";
    /** Per generation, so the metrics are hand-computable. */
    public static final int PROMPT_TOKENS = 100, COMPLETION_TOKENS = 20, REASONING_TOKENS = 5;

    public enum Mode {
        SOLVE,
        WRONG,
        REJECTED,
        MIXED,
        FLAKY,
        DELEGATE
    }

    /** FLAKY: the tasks whose first generation already failed once (a backend failure, then it solves). */
    static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    public static volatile Mode mode = Mode.SOLVE;
    public static volatile String delegateId = "embedded";

    private static final Pattern TASK = Pattern.compile("^Task (\\S+) \\(");
    private static final Map<String, SynthTask> TASKS = new HashMap<>();

    static {
        try {
            Suite.load("classpath:trip-smoke-v1.jsonl").tasks().forEach(t -> TASKS.put(t.id(), t));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Inject
    @Any
    Instance<ModelBackend> backends;

    @Override
    public String id() {
        return ID;
    }

    public boolean hasDelegate() {
        return backends.stream().anyMatch(b -> b.id().equals(delegateId));
    }

    /** Whether MIXED fails this task. */
    public static boolean failsInMixed(String taskId) {
        return Integer.parseInt(taskId.substring(taskId.lastIndexOf('-') + 1)) % 3 == 0;
    }

    private static final class NeedCalls extends RuntimeException {
        final List<ToolInvoker.Call> calls;

        NeedCalls(List<ToolInvoker.Call> calls) {
            super(null, null, false, false);
            this.calls = calls;
        }
    }

    private record Done(String name, JsonNode arguments, String result) {}

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        if (mode == Mode.DELEGATE) {
            return backends.stream()
                    .filter(b -> b.id().equals(delegateId))
                    .findFirst()
                    .map(b -> b.stream(request))
                    .orElse(Multi.createFrom().failure(new IllegalStateException("no backend " + delegateId)));
        }
        String prompt = request.messages().stream()
                .filter(m -> m.role() == ChatMessage.Role.USER)
                .findFirst()
                .map(ChatMessage::content)
                .orElse("");
        Matcher m = TASK.matcher(prompt);
        SynthTask task = m.find() ? TASKS.get(m.group(1)) : null;
        if (task == null) {
            return reply("I do not know this task.", List.of());
        }
        boolean wrong = mode == Mode.WRONG || (mode == Mode.MIXED && failsInMixed(task.id()));
        List<Done> done = history(request.messages());
        if (mode == Mode.FLAKY && done.isEmpty() && FAILED_ONCE.add(task.id())) {
            return Multi.createFrom().failure(new IOException("simulated backend outage"));
        }
        if (done.stream().anyMatch(d -> d.name().equals("submit_result"))) {
            return reply("The plan is submitted.", List.of());
        }
        if (mode == Mode.MIXED && wrong && done.isEmpty()) {
            return reply(
                    null,
                    List.of(new ToolInvoker.Call(
                            "get_infos_by_hotel", Json.MAPPER.createObjectNode().put("hotel", BOGUS_HOTEL))));
        }
        List<Done> replay = done.stream()
                .filter(d -> !d.arguments().toString().contains(BOGUS_HOTEL))
                .toList();
        TaskEnvironment env = task.environment();
        JsonNode answer;
        try {
            answer = env.solve(task.spec(), new Replay(replay));
        } catch (NeedCalls n) {
            return reply(null, n.calls);
        } catch (ToolInvoker.ToolError e) {
            return reply("A tool failed: " + e.getMessage(), List.of());
        }
        if (wrong) {
            answer = env.perturb(task.spec(), answer, new Random(0)).getFirst().submission();
        } else if (mode == Mode.REJECTED) {
            answer = ((ObjectNode) answer.deepCopy()).put("confidence", 1.0);
        }
        return reply(null, List.of(new ToolInvoker.Call("submit_result", (ObjectNode) answer)));
    }

    /** Answers the solution's calls from the conversation; a batch not made yet is NeedCalls. */
    private static final class Replay implements ToolInvoker {
        private final List<Done> done;
        private int position;

        Replay(List<Done> done) {
            this.done = done;
        }

        @Override
        public List<JsonNode> callAll(List<Call> batch) {
            if (position + batch.size() > done.size()) {
                throw new NeedCalls(batch);
            }
            List<JsonNode> out = new ArrayList<>();
            for (Call c : batch) {
                Done d = done.get(position++);
                if (!d.name().equals(c.name()) || !d.arguments().equals(c.arguments())) {
                    throw new IllegalStateException("replay diverged: " + d.name() + " vs " + c.name());
                }
                try {
                    out.add(Json.MAPPER.readTree(d.result()));
                } catch (Exception e) {
                    throw new ToolError(c.name() + ": " + d.result());
                }
            }
            return out;
        }
    }

    /** The tool calls made so far and their results, in order. */
    private static List<Done> history(List<ChatMessage> messages) {
        Map<String, String> results = new HashMap<>();
        for (ChatMessage msg : messages) {
            if (msg.role() == ChatMessage.Role.TOOL) {
                results.put(msg.toolCallId(), msg.content());
            }
        }
        List<Done> out = new ArrayList<>();
        for (ChatMessage msg : messages) {
            if (msg.role() == ChatMessage.Role.ASSISTANT && msg.toolCalls() != null) {
                for (ToolCall c : msg.toolCalls()) {
                    try {
                        out.add(new Done(c.name(), Json.MAPPER.readTree(c.arguments()), results.get(c.id())));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    /** One generation: reasoning, optional text, the tool calls, as the model's raw DSML text in a few chunks, then usage. */
    static Multi<ModelChunk> reply(String text, List<ToolInvoker.Call> calls) {
        List<ToolCall> toolCalls = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            toolCalls.add(new ToolCall(
                    "call_" + i, calls.get(i).name(), calls.get(i).arguments().toString()));
        }
        String raw = dsml(text == null ? "" : text, "Working through the task with the tools.", toolCalls);
        List<ModelChunk> chunks = new ArrayList<>();
        for (int i = 0; i < raw.length(); i += 97) {
            String piece = raw.substring(i, Math.min(raw.length(), i + 97));
            int[] ids = tokenIds(piece);
            float[] logprobs = new float[ids.length];
            for (int j = 0; j < ids.length; j++) {
                logprobs[j] = logprob(ids[j]);
            }
            chunks.add(new ModelChunk.Text(piece, ids, logprobs));
        }
        chunks.add(new ModelChunk.Usage(PROMPT_TOKENS, COMPLETION_TOKENS, REASONING_TOKENS));
        return Multi.createFrom().iterable(chunks);
    }

    /** Stand-in token ids: the UTF-16 units of the text, so a test can decode the ids it finds in the rollouts. */
    static int[] tokenIds(String text) {
        return text.chars().toArray();
    }

    /** The logprob the backend reports for a token id (exact in float and in JSON), so tests can check alignment. */
    static float logprob(int id) {
        return -(id % 50) / 64f;
    }

    /** What the model writes after the prompt for this assistant message: the codec's own rendering of it. */
    static String dsml(String content, String reasoning, List<ToolCall> calls) {
        List<ChatMessage> user = List.of(ChatMessage.user("x"));
        String prefix = DeepSeekV32Codec.encode(user, ThinkingMode.THINKING, true, false);
        String full = DeepSeekV32Codec.encode(
                List.of(
                        ChatMessage.user("x"),
                        ChatMessage.assistant(content, reasoning, calls.isEmpty() ? null : calls)),
                ThinkingMode.THINKING,
                true,
                false);
        return full.substring(prefix.length());
    }
}
