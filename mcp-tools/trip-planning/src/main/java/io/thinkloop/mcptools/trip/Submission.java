package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A plan recorded by {@code submit_result}: {@code id} is "sub-N" with N the 1-based {@code sequence} in
 * this environment; {@code sessionId}/{@code toolCallId} come from the call's context (null when
 * detached); {@code arguments} are the exact arguments received, {@code plan} their typed form.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Submission(
        String id, int sequence, String sessionId, String toolCallId, TripPlan plan, JsonNode arguments) {}
