package io.thinkloop.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.SamplingSettings;

/** A message from a client, a JSON object with a {@code type} (see {@code docs/protocol.md}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientMessage.UserMessage.class, name = "user_message"),
    @JsonSubTypes.Type(value = ClientMessage.Cancel.class, name = "cancel"),
    @JsonSubTypes.Type(value = ClientMessage.Approve.class, name = "approve"),
    @JsonSubTypes.Type(value = ClientMessage.Deny.class, name = "deny"),
    @JsonSubTypes.Type(value = ClientMessage.Resume.class, name = "resume"),
    @JsonSubTypes.Type(value = ClientMessage.ElicitationRespond.class, name = "elicitation.respond"),
})
public sealed interface ClientMessage {

    /**
     * Starts a turn; {@code includeTokens} (default false) asks for {@code tokens} events carrying the
     * model's token ids and logprobs; {@code sampling} (default: greedy) how the model samples this turn.
     */
    record UserMessage(String content, boolean includeTokens, SamplingSettings sampling) implements ClientMessage {
        public UserMessage(String content) {
            this(content, false, null);
        }
    }

    /** Cancels the running turn (model stream, tool calls, pending approvals). */
    record Cancel() implements ClientMessage {}

    record Approve(String toolCallId) implements ClientMessage {}

    record Deny(String toolCallId, String reason) implements ClientMessage {}

    /** Replays every event after {@code lastSeq} from the journal, then continues live. */
    record Resume(long lastSeq) implements ClientMessage {}

    /**
     * Answers an {@code elicitation.requested}: {@code action} {@code accept} (with {@code content}, the form's
     * values), {@code decline} or {@code cancel}.
     */
    record ElicitationRespond(String elicitationId, String action, JsonNode content) implements ClientMessage {}

    /** The wire type names, for the docs-in-sync test. */
    static String typeName(Class<? extends ClientMessage> type) {
        for (JsonSubTypes.Type t :
                ClientMessage.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == type) {
                return t.name();
            }
        }
        throw new IllegalArgumentException(type.getName());
    }
}
