package io.thinkloop.train.sft;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.AgentPrompt;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.TaskEnvironment;
import io.thinkloop.synth.Verdict;
import io.thinkloop.tools.Tool;
import java.util.List;

/**
 * One solved task as the agent loop would have run it: the tools offered (in offer order), the turn's history
 * (user message, assistant steps with reasoning and tool calls, real tool results, the final answer) and what was
 * submitted. {@link #conversation()} is what the last generation's prompt is built from, plus the answer.
 */
public record Trajectory(
        SynthTask task,
        long dbSeed,
        String systemPrompt,
        List<ToolSpec> tools,
        List<ChatMessage> history,
        JsonNode submission) {

    public Trajectory {
        tools = List.copyOf(tools);
        history = List.copyOf(history);
    }

    /** The whole conversation as the agent's prompts render it: system message with the tools, then the history. */
    public List<ChatMessage> conversation() {
        return AgentPrompt.conversation(systemPrompt, tools, history);
    }

    /** The task's verifier on the submission. */
    public Verdict verdict() {
        return task.verify(submission);
    }

    /**
     * Solves {@code task} in its environment with the narrating reference solution: every tool result is the
     * environment's real answer. {@code systemPrompt} is the agent's configured one ({@code null}: none, the default).
     */
    public static Trajectory build(SynthTask task, long dbSeed, String systemPrompt) {
        TaskEnvironment env = task.environment();
        List<Tool> tools = env.tools();
        Narrator narrator = switch (task.domain()) {
            case "trip-planning" -> new TripNarrator();
            case "retail" -> new RetailNarrator();
            default -> throw new IllegalArgumentException("no trajectories for domain " + task.domain());
        };
        TrajectoryRecorder turn = new TrajectoryRecorder(tools, task.prompt());
        JsonNode submission = narrator.solve(task, turn);
        turn.answer(
                "submit_result accepted the " + (task.domain().equals("retail") ? "answer" : "plan")
                        + ". I summarise it for the user.",
                narrator.answer(task, submission));
        return new Trajectory(
                task,
                dbSeed,
                systemPrompt,
                AgentPrompt.offered(tools.stream().map(Tool::spec).toList()),
                turn.history(),
                submission);
    }
}
