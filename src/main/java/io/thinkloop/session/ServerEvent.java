package io.thinkloop.session;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.ErrorCode;
import java.util.List;

/**
 * The payload of one server event (protocol version {@link #VERSION}). Each record is one event
 * {@link #type()}; the header fields every event carries ({@code v, type, sessionId, turnId, seq,
 * timestamp}) are added by {@link EventEnvelope}. {@code docs/protocol.md} and {@code docs/schemas/}
 * describe the same set, and {@code ProtocolSchemaTest} keeps them in step.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerEvent {
    int VERSION = 1;

    /** The wire name of this event, e.g. {@code text.delta}. */
    @JsonIgnore
    String type();

    /** Every event type in the protocol, by record class, for the docs-in-sync test and the docs. */
    List<Class<? extends ServerEvent>> ALL = List.of(
            SessionCreated.class,
            TurnStarted.class,
            ReasoningDelta.class,
            TextDelta.class,
            ToolCallStarted.class,
            ToolCallArgumentsDelta.class,
            ToolCallCompleted.class,
            ToolExecuting.class,
            ToolResultEvent.class,
            ApprovalRequested.class,
            Usage.class,
            TurnCompleted.class,
            Error.class,
            Cancelled.class,
            Tokens.class,
            ElicitationRequested.class);

    record SessionCreated() implements ServerEvent {
        public String type() {
            return "session.created";
        }
    }

    /** A turn began: the user message that started it is already in the journal. */
    record TurnStarted(String content) implements ServerEvent {
        public String type() {
            return "turn.started";
        }
    }

    record ReasoningDelta(String text) implements ServerEvent {
        public String type() {
            return "reasoning.delta";
        }
    }

    record TextDelta(String text) implements ServerEvent {
        public String type() {
            return "text.delta";
        }
    }

    record ToolCallStarted(String toolCallId, int index, String name) implements ServerEvent {
        public String type() {
            return "tool_call.started";
        }
    }

    record ToolCallArgumentsDelta(String toolCallId, int index, String delta) implements ServerEvent {
        public String type() {
            return "tool_call.arguments.delta";
        }
    }

    /** The model finished writing the call; {@code arguments} is the JSON text of its argument object. */
    record ToolCallCompleted(String toolCallId, int index, String name, String arguments) implements ServerEvent {
        public String type() {
            return "tool_call.completed";
        }
    }

    record ToolExecuting(String toolCallId, String name) implements ServerEvent {
        public String type() {
            return "tool.executing";
        }
    }

    /**
     * The result the model will read; {@code structured} is the tool's structured content, if any; {@code status}
     * how the call ended ({@code isError} is true for every status but {@code ok}).
     */
    record ToolResultEvent(
            String toolCallId,
            String name,
            String content,
            JsonNode structured,
            @JsonProperty("isError") boolean isError,
            ToolStatus status,
            long latencyMs)
            implements ServerEvent {
        public String type() {
            return "tool.result";
        }
    }

    /** The turn waits until the client sends {@code approve} or {@code deny} for this call. */
    record ApprovalRequested(String toolCallId, String name, String arguments) implements ServerEvent {
        public String type() {
            return "approval.requested";
        }
    }

    /**
     * An MCP server asks the user for input while the agent's tool call {@code toolCallId} runs (MCP
     * {@code elicitation/create}); the call waits until the client sends {@code elicitation.respond} with the same
     * {@code elicitationId}. {@code mode} is {@code form} (answer with {@code content} valid for
     * {@code requestedSchema}, a flat object schema of primitive fields) or {@code url} (the user opens {@code url};
     * the answer has no content).
     */
    record ElicitationRequested(
            String elicitationId,
            String server,
            String toolCallId,
            String mode,
            String message,
            JsonNode requestedSchema,
            String url)
            implements ServerEvent {
        public String type() {
            return "elicitation.requested";
        }
    }

    /**
     * The token ids (and their logprobs, null when the backend has none) behind one piece of model
     * output of generation {@code step} of the turn; sent only for turns whose {@code user_message} set
     * {@code includeTokens}, for clients that train on the exact tokens (RL rollouts).
     */
    record Tokens(int step, int[] ids, float[] logprobs) implements ServerEvent {
        public String type() {
            return "tokens";
        }
    }

    record Usage(int promptTokens, int completionTokens, int reasoningTokens) implements ServerEvent {
        public String type() {
            return "usage";
        }
    }

    /**
     * The turn ended. {@code finishReason}: {@code stop} (answered), {@code length} (max tokens),
     * {@code max_steps} (step cap reached, last answer without tools), {@code error}, {@code deadline},
     * {@code interrupted} (the service stopped mid-turn; journaled when the session is next loaded).
     */
    record TurnCompleted(String finishReason, int steps) implements ServerEvent {
        /** Every finish reason, for the docs-in-sync test. */
        public static final List<String> REASONS =
                List.of("stop", "length", "max_steps", "error", "deadline", "interrupted");

        public static final String INTERRUPTED = "interrupted";

        public String type() {
            return "turn.completed";
        }
    }

    /** Something failed; {@code retryable} says whether sending the same thing again may succeed. */
    record Error(ErrorCode code, String message, boolean retryable) implements ServerEvent {
        /** An error retryable as its code says by default. */
        public static Error of(ErrorCode code, String message) {
            return new Error(code, message, code.retryable());
        }

        public String type() {
            return "error";
        }
    }

    /** The turn was cancelled (by the client, or because the session was deleted). */
    record Cancelled(String reason) implements ServerEvent {
        public String type() {
            return "cancelled";
        }
    }
}
