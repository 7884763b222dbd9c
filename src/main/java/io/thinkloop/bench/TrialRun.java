package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one trial's turn produced, before scoring. {@code tokens}: the completions' token ids and logprobs per
 * generation (see {@link Rollouts}), or null when the service sent none.
 */
record TrialRun(
        String sessionId,
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
        JsonNode tokens) {}
