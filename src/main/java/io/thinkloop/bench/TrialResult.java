package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One scored trial, a line of {@code trials.jsonl}. Keyed by (taskId, trial, seed). {@code termination}: the
 * turn's finish reason ({@code stop}, {@code length}, {@code max_steps}, {@code error}, {@code deadline}) or the
 * harness's ({@code step_cap}, {@code deadline}). Latencies in milliseconds (-1: no token came). {@code tokens}:
 * the completions' token ids and logprobs per generation, or null when the service sent none (see {@link Rollouts}).
 * {@code sampling}: the {@code user_message.sampling} the trial was run with (its seed included), null when greedy.
 */
public record TrialResult(
        String taskId,
        int trial,
        long seed,
        int difficulty,
        String sessionId,
        boolean passed,
        double reward,
        List<String> failures,
        JsonNode submission,
        int toolCalls,
        int toolErrors,
        int steps,
        int promptTokens,
        int completionTokens,
        int reasoningTokens,
        long ttftMs,
        long latencyMs,
        String termination,
        JsonNode transcript,
        JsonNode tokens,
        JsonNode sampling) {
    /** A trial without token data. */
    public TrialResult(
            String taskId,
            int trial,
            long seed,
            int difficulty,
            String sessionId,
            boolean passed,
            double reward,
            List<String> failures,
            JsonNode submission,
            int toolCalls,
            int toolErrors,
            int steps,
            int promptTokens,
            int completionTokens,
            int reasoningTokens,
            long ttftMs,
            long latencyMs,
            String termination,
            JsonNode transcript) {
        this(
                taskId,
                trial,
                seed,
                difficulty,
                sessionId,
                passed,
                reward,
                failures,
                submission,
                toolCalls,
                toolErrors,
                steps,
                promptTokens,
                completionTokens,
                reasoningTokens,
                ttftMs,
                latencyMs,
                termination,
                transcript,
                null,
                null);
    }

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
