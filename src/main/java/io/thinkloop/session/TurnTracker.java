package io.thinkloop.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;

/**
 * Follows a session's events to tell whether its last turn is still open (a {@code turn.started} with no
 * {@code turn.completed} or {@code cancelled} after it) and how many generations it ran: the same reading
 * {@link JournalLoader} makes of the files, for events read from a shared store.
 */
final class TurnTracker {
    private String openTurn;
    private int steps;

    /** Takes the next event line; lines that are not turn events cost only a prefix check. */
    void accept(String eventJson) {
        // EventEnvelope.toJsonText writes {"v":N,"type":"...": the type is in the first 40 characters
        int t = eventJson.indexOf("\"type\":\"");
        if (t < 0 || t > 40) {
            return;
        }
        boolean turnEvent = eventJson.startsWith("turn.", t + 8)
                || eventJson.startsWith("usage\"", t + 8)
                || eventJson.startsWith("cancelled\"", t + 8);
        if (!turnEvent) {
            return;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(eventJson);
        } catch (IOException e) {
            return;
        }
        String type = node.path("type").asText();
        String turnId = node.path("turnId").isTextual() ? node.path("turnId").asText() : null;
        switch (type) {
            case "turn.started" -> {
                openTurn = turnId;
                steps = 0;
            }
            case "usage" -> {
                if (turnId != null && turnId.equals(openTurn)) {
                    steps++;
                }
            }
            case "turn.completed", "cancelled" -> {
                if (turnId != null && turnId.equals(openTurn)) {
                    openTurn = null;
                }
            }
            default -> {}
        }
    }

    /** Starts from a known state (what loading the session found). */
    void reset(String openTurnId, int openTurnSteps) {
        openTurn = openTurnId;
        steps = openTurnSteps;
    }

    String openTurn() {
        return openTurn;
    }

    int steps() {
        return steps;
    }
}
