package io.thinkloop.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.time.Instant;

/**
 * One event as it is journaled and sent: the common header and the payload's fields in one flat JSON
 * object. {@code seq} numbers the events of a session from 1 without gaps; {@code turnId} is null for
 * events outside a turn (session.created, errors about client frames).
 */
public record EventEnvelope(String sessionId, String turnId, long seq, Instant timestamp, ServerEvent event) {

    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("v", ServerEvent.VERSION);
        node.put("type", event.type());
        node.put("sessionId", sessionId);
        if (turnId == null) {
            node.putNull("turnId");
        } else {
            node.put("turnId", turnId);
        }
        node.put("seq", seq);
        node.put("timestamp", timestamp.toString());
        node.setAll((ObjectNode) Json.MAPPER.valueToTree(event));
        return node;
    }

    /**
     * The single-line JSON text used on the wire and in the journal: the same object as {@link #toJson()},
     * written without building a tree (this runs once per event on the hot path).
     */
    public String toJsonText() {
        try {
            String payload = Json.MAPPER.writeValueAsString(event);
            StringBuilder sb = new StringBuilder(payload.length() + 160);
            sb.append("{\"v\":")
                    .append(ServerEvent.VERSION)
                    .append(",\"type\":\"")
                    .append(event.type())
                    .append("\",\"sessionId\":")
                    .append(Json.MAPPER.writeValueAsString(sessionId))
                    .append(",\"turnId\":")
                    .append(turnId == null ? "null" : Json.MAPPER.writeValueAsString(turnId))
                    .append(",\"seq\":")
                    .append(seq)
                    .append(",\"timestamp\":\"")
                    .append(timestamp)
                    .append('"');
            if (payload.length() > 2) {
                sb.append(',').append(payload, 1, payload.length());
            } else {
                sb.append('}');
            }
            return sb.toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + event, e);
        }
    }
}
