package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.synth.SynthTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RL rollouts: per task, the group of its trials with rewards and group-relative advantages
 * (R - mean R over the group, as in DeepSeek-V3.2's GRPO), each with the conversation (prompt, reasoning,
 * tool calls and results). Token ids and logprobs come from the turn's {@code tokens} events (the bench asks for
 * them with {@code includeTokens}): {@code tokenIds}/{@code logprobs} are all completions of the trial in order,
 * {@code generations} the same per model generation ({@code step}). They stay null when the backend gives no ids;
 * {@code logprobs} is null when some tokens came without them.
 */
public final class Rollouts {
    private Rollouts() {}

    public static List<ObjectNode> groups(List<SynthTask> tasks, List<TrialResult> trials) {
        Map<String, List<TrialResult>> byTask = new LinkedHashMap<>();
        tasks.forEach(t -> byTask.put(t.id(), new ArrayList<>()));
        trials.forEach(
                r -> byTask.computeIfAbsent(r.taskId(), x -> new ArrayList<>()).add(r));
        List<ObjectNode> out = new ArrayList<>();
        for (SynthTask task : tasks) {
            List<TrialResult> rs = new ArrayList<>(byTask.get(task.id()));
            if (rs.isEmpty()) {
                continue;
            }
            rs.sort(Comparator.comparingInt(TrialResult::trial).thenComparingLong(TrialResult::seed));
            double mean = rs.stream().mapToDouble(TrialResult::reward).average().orElse(0);
            ObjectNode g = Json.MAPPER.createObjectNode();
            g.put("taskId", task.id())
                    .put("domain", task.domain())
                    .put("difficulty", task.difficulty())
                    .put("prompt", task.prompt())
                    .put("meanReward", Metrics.round(mean));
            ArrayNode samples = g.putArray("samples");
            for (TrialResult r : rs) {
                ObjectNode s = samples.addObject();
                s.put("trial", r.trial())
                        .put("seed", r.seed())
                        .put("sessionId", r.sessionId())
                        .put("reward", r.reward())
                        .put("advantage", Metrics.round(r.reward() - mean))
                        .put("termination", r.termination());
                s.set("messages", r.transcript());
                s.set("submission", r.submission());
                if (r.sampling() != null) {
                    s.set("sampling", r.sampling()); // what the trial was sampled with, its seed included
                }
                putTokens(s, r.tokens());
            }
            out.add(g);
        }
        return out;
    }

    private static void putTokens(ObjectNode sample, JsonNode generations) {
        if (generations == null || !generations.isArray() || generations.isEmpty()) {
            sample.putNull("tokenIds");
            sample.putNull("logprobs");
            sample.putNull("generations");
            return;
        }
        ArrayNode ids = sample.putArray("tokenIds");
        ArrayNode logprobs = Json.MAPPER.createArrayNode();
        boolean allLogprobs = true;
        for (var g : generations) {
            ids.addAll((ArrayNode) g.path("tokenIds"));
            if (g.path("logprobs").isArray()) {
                logprobs.addAll((ArrayNode) g.path("logprobs"));
            } else {
                allLogprobs = false;
            }
        }
        if (allLogprobs) {
            sample.set("logprobs", logprobs);
        } else {
            sample.putNull("logprobs");
        }
        sample.set("generations", generations);
    }

    public static void write(Path file, List<SynthTask> tasks, List<TrialResult> trials) throws IOException {
        StringBuilder b = new StringBuilder();
        for (ObjectNode g : groups(tasks, trials)) {
            b.append(Json.MAPPER.writeValueAsString(g)).append('\n');
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }
}
