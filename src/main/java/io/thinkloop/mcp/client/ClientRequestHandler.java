package io.thinkloop.mcp.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.tools.ToolCallContext;
import java.util.List;

/**
 * What our client answers when a server asks it something: {@code roots/list}, {@code sampling/createMessage},
 * {@code elicitation/create}. The client advertises a capability only where the handler offers it, so a server
 * never sends a request that would be refused. {@code caller} is the tool call during which the server asked
 * (null when the request came while no call of ours was running): the service needs it to find the session whose
 * user approves a sampling request or answers an elicitation.
 */
public interface ClientRequestHandler {
    /** The roots the server may work in ({@code {uri, name?}} objects), or null to offer no {@code roots} capability. */
    default List<JsonNode> roots() {
        return null;
    }

    default boolean samples() {
        return false;
    }

    /** Answers {@code sampling/createMessage} with a {@code CreateMessageResult}. */
    default Uni<JsonNode> createMessage(JsonNode params, ToolCallContext caller) {
        return Uni.createFrom().failure(new UnsupportedOperationException("sampling is not offered"));
    }

    default boolean elicits() {
        return false;
    }

    /** Answers {@code elicitation/create} with an {@code ElicitResult} ({@code action}, {@code content}?). */
    default Uni<JsonNode> elicit(JsonNode params, ToolCallContext caller) {
        return Uni.createFrom().failure(new UnsupportedOperationException("elicitation is not offered"));
    }

    /** Offers nothing: the client of a server that needs nothing of us. */
    ClientRequestHandler NONE = new ClientRequestHandler() {};
}
