package io.thinkloop.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.thinkloop.agent.AgentService;
import io.thinkloop.json.Json;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.session.ActiveTurn;
import io.thinkloop.session.ClientMessage;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What a client can ask of a session, shared by the WebSocket and REST front ends. Problems with the
 * request itself come back as an {@link ServerEvent.Error} for that client only; the session goes on.
 */
@ApplicationScoped
public class ClientCommands {

    @Inject
    AgentService agent;

    /** Parses a client frame; a {@link ServerEvent.Error} describes why it is not a valid message. */
    public sealed interface Decoded {
    }

    public record Ok(ClientMessage message) implements Decoded {
    }

    public record Bad(ServerEvent.Error error) implements Decoded {
    }

    public Decoded decode(String text) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Bad(new ServerEvent.Error("invalid_json", "frame is not valid JSON: " + e.getOriginalMessage(), false));
        }
        if (node == null || !node.isObject()) {
            return new Bad(new ServerEvent.Error("invalid_message", "a client message is a JSON object with a type", false));
        }
        if (!node.path("type").isTextual()) {
            return new Bad(new ServerEvent.Error("invalid_message", "a client message needs a string field 'type'", false));
        }
        try {
            return new Ok(Json.MAPPER.treeToValue(node, ClientMessage.class));
        } catch (InvalidTypeIdException e) {
            return new Bad(new ServerEvent.Error("unknown_type", "unknown message type '" + node.path("type").asText()
                    + "' (known: user_message, cancel, approve, deny, resume)", false));
        } catch (JsonProcessingException e) {
            return new Bad(new ServerEvent.Error("invalid_message", "bad fields for " + node.path("type").asText() + ": " + e.getOriginalMessage(), false));
        }
    }

    /** Starts a turn; the error says why not. */
    public AgentService.Started userMessage(Session session, String content) {
        return userMessage(session, content, false);
    }

    /** Starts a turn that also emits {@code tokens} events when {@code includeTokens}; the error says why not. */
    public AgentService.Started userMessage(Session session, String content, boolean includeTokens) {
        return userMessage(session, content, includeTokens, null);
    }

    /** As above, sampled as {@code sampling} asks (null: greedy); settings out of range are refused. */
    public AgentService.Started userMessage(
            Session session, String content, boolean includeTokens, SamplingSettings sampling) {
        String problem = sampling == null ? null : sampling.problem();
        if (problem != null) {
            return new AgentService.Started(null, new ServerEvent.Error("invalid_message", problem, false));
        }
        return agent.startTurn(session, content, includeTokens, sampling);
    }

    /** Null when done, else the error for the client. */
    public ServerEvent.Error cancel(Session session) {
        ActiveTurn turn = session.activeTurn();
        if (turn == null) {
            return new ServerEvent.Error("no_active_turn", "there is no running turn to cancel", false);
        }
        turn.cancel("cancelled by client");
        return null;
    }

    public ServerEvent.Error decide(Session session, String toolCallId, boolean approved, String reason) {
        ActiveTurn turn = session.activeTurn();
        if (turn == null || !turn.decide(toolCallId, approved, reason)) {
            return new ServerEvent.Error("unknown_tool_call", "no tool call " + toolCallId + " is waiting for approval", false);
        }
        return null;
    }
}
