package io.thinkloop.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.thinkloop.agent.AgentService;
import io.thinkloop.json.Json;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.session.ActiveTurn;
import io.thinkloop.session.ClientMessage;
import io.thinkloop.session.PendingQuestions;
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
    public sealed interface Decoded {}

    public record Ok(ClientMessage message) implements Decoded {}

    public record Bad(ServerEvent.Error error) implements Decoded {}

    public Decoded decode(String text) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Bad(
                    ServerEvent.Error.of(ErrorCode.INVALID_JSON, "frame is not valid JSON: " + e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            return new Bad(
                    ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, "a client message is a JSON object with a type"));
        }
        if (!node.path("type").isTextual()) {
            return new Bad(
                    ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, "a client message needs a string field 'type'"));
        }
        try {
            return new Ok(Json.MAPPER.treeToValue(node, ClientMessage.class));
        } catch (InvalidTypeIdException e) {
            return new Bad(ServerEvent.Error.of(
                    ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + node.path("type").asText()
                            + "' (known: user_message, cancel, approve, deny, resume)"));
        } catch (JsonProcessingException e) {
            return new Bad(ServerEvent.Error.of(
                    ErrorCode.INVALID_MESSAGE,
                    "bad fields for " + node.path("type").asText() + ": " + e.getOriginalMessage()));
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
            return new AgentService.Started(null, ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, problem));
        }
        return agent.startTurn(session, content, includeTokens, sampling);
    }

    /** Null when done, else the error for the client. */
    public ServerEvent.Error cancel(Session session) {
        ActiveTurn turn = session.activeTurn();
        if (turn == null) {
            return ServerEvent.Error.of(ErrorCode.NO_ACTIVE_TURN, "there is no running turn to cancel");
        }
        turn.cancel("cancelled by client");
        return null;
    }

    public ServerEvent.Error decide(Session session, String toolCallId, boolean approved, String reason) {
        ActiveTurn turn = session.activeTurn();
        if ((turn == null || !turn.decide(toolCallId, approved, reason))
                && !session.questions().decide(toolCallId, approved, reason)) {
            return ServerEvent.Error.of(
                    ErrorCode.UNKNOWN_TOOL_CALL, "no tool call " + toolCallId + " is waiting for approval");
        }
        return null;
    }

    /** Answers an MCP server's elicitation; null when done, else the error for the client. */
    public ServerEvent.Error respondElicitation(
            Session session, String elicitationId, String action, JsonNode content) {
        if (action == null || !PendingQuestions.ACTIONS.contains(action)) {
            return ServerEvent.Error.of(
                    ErrorCode.INVALID_MESSAGE, "action must be one of " + PendingQuestions.ACTIONS + ", got " + action);
        }
        if ("accept".equals(action) && content != null && !content.isObject()) {
            return ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, "content must be an object of the form's values");
        }
        if (!session.questions().respond(elicitationId, action, "accept".equals(action) ? content : null)) {
            return ServerEvent.Error.of(
                    ErrorCode.UNKNOWN_ELICITATION, "no elicitation " + elicitationId + " is waiting for an answer");
        }
        return null;
    }
}
