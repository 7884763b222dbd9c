package io.thinkloop.bench;

import com.fasterxml.jackson.databind.JsonNode;

/** What one trial's turn produced, before scoring. */
record TrialRun(String sessionId, JsonNode submission, int toolCalls, int toolErrors, int steps, int promptTokens,
                int completionTokens, int reasoningTokens, long ttftMs, long latencyMs, String termination,
                JsonNode transcript) {
}
