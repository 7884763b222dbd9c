package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One scored trial, a line of {@code trials.jsonl}. Keyed by (taskId, trial, seed). {@code termination}: the
 * turn's finish reason ({@code stop}, {@code length}, {@code max_steps}, {@code error}, {@code deadline}) or the
 * harness's ({@code step_cap}, {@code deadline}). Latencies in milliseconds (-1: no token came).
 */
public record TrialResult(String taskId, int trial, long seed, int difficulty, String sessionId, boolean passed,
                          double reward, List<String> failures, JsonNode submission, int toolCalls, int toolErrors,
                          int steps, int promptTokens, int completionTokens, int reasoningTokens, long ttftMs,
                          long latencyMs, String termination, JsonNode transcript) {
    public String key() {
        return key(taskId, trial, seed);
    }

    public static String key(String taskId, int trial, long seed) {
        return taskId + "#" + trial + "#" + seed;
    }

    public int answerTokens() {
        return Math.max(0, completionTokens - reasoningTokens);
    }
}
