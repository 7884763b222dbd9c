package io.thinkloop.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * Every error code the service sends, in {@code error} events, in the {@code {code, message, retryable}} body of
 * HTTP errors, and as the {@code code} a model backend fails with ({@link BackendException}). On the wire a code is
 * its lower-case name ({@link #wireName()}). {@link #retryable()} is what an error of this code says by default:
 * whether sending the same thing again may succeed; a backend may say otherwise for one failure (an HTTP 408 is a
 * retryable {@link #HTTP_ERROR}), and whatever it says reaches the client unchanged.
 *
 * <p>Codes live here, in the lowest layer, because backends raise them too. {@code docs/protocol.md} and
 * {@code docs/schemas/events/error.schema.json} list exactly these values; a test keeps them in step.
 */
public enum ErrorCode {
    // ---- a client's own frame or request: sent to that connection only (seq 0), or as an HTTP error body
    /** A frame that is not JSON. */
    INVALID_JSON(false),
    /** A frame or body that is JSON but not a valid message (missing or wrong fields). */
    INVALID_MESSAGE(false),
    /** A client message {@code type} the server does not know. */
    UNKNOWN_TYPE(false),
    /** A frame longer than {@code thinkloop.ws.max-message-size}. */
    MESSAGE_TOO_LARGE(false),
    /** Too many messages (client frames), or the model server's HTTP 429; wait and send again. */
    RATE_LIMITED(true),
    /** A {@code user_message} while a turn runs; send it again once the turn has ended. */
    TURN_IN_PROGRESS(true),
    /** A {@code cancel} with no turn running. */
    NO_ACTIVE_TURN(false),
    /** An {@code approve}/{@code deny} for a call that waits for no approval. */
    UNKNOWN_TOOL_CALL(false),
    /** An {@code elicitation.respond} for an elicitation that waits for no answer. */
    UNKNOWN_ELICITATION(false),
    /** A session id with characters outside letters, digits, {@code _ - .}, or longer than 128. */
    INVALID_SESSION_ID(false),
    /** REST: no session with that id. */
    SESSION_NOT_FOUND(false),
    /** No valid API key (HTTP 401). */
    UNAUTHORIZED(false),
    /** A browser {@code Origin} that is not allowed (HTTP 403). */
    ORIGIN_NOT_ALLOWED(false),
    /** REST: a request body the endpoint cannot use (e.g. a bench run without a suite). */
    INVALID_REQUEST(false),
    /** REST: no such resource (e.g. a bench run id), or a {@code /v1} path no route serves. */
    NOT_FOUND(false),
    /** HTTP 403 for another reason than the Origin. */
    FORBIDDEN(false),
    /** HTTP 405. */
    METHOD_NOT_ALLOWED(false),
    /** HTTP 406. */
    NOT_ACCEPTABLE(false),
    /** HTTP 409. */
    CONFLICT(false),
    /** HTTP 413: a request body announced larger than the endpoint takes. */
    PAYLOAD_TOO_LARGE(false),
    /** HTTP 415: the body is not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE(false),
    /** HTTP 503 for another reason than the journal. */
    UNAVAILABLE(true),
    /** The client closed the connection mid-request (nobody reads the answer). */
    CLIENT_CLOSED(true),

    // ---- a turn: journaled, followed by turn.completed
    /** The configured {@code thinkloop.model.backend} does not exist. */
    BACKEND_UNAVAILABLE(false),
    /** The model backend failed in a way it did not name (no {@link BackendException}). */
    BACKEND_ERROR(true),
    /** The model's output could not be parsed. */
    PARSE_ERROR(true),
    /** The conversation cannot be encoded into a prompt. */
    INVALID_CONVERSATION(false),
    /** The turn ran longer than {@code thinkloop.agent.turn-timeout}. */
    TURN_DEADLINE(true),
    /**
     * The session's journal could not be written (disk full, I/O error, no file descriptor left): the failed
     * record was cut back, the turn ends; {@code /q/health/ready} says why. Retry once the store recovers.
     */
    JOURNAL_WRITE_FAILED(true),
    /** A bug: the server failed unexpectedly. */
    INTERNAL_ERROR(true),

    // ---- raised by model backends (the embedded engine, remote OpenAI-compatible servers), passed to clients
    // unchanged
    /** The embedded engine's queue is full: try again after {@code retryAfter} (HTTP 429 on the OpenAI endpoints). */
    BUSY(true),
    /** The prompt and the requested completion do not fit the model's context (HTTP 400 on the OpenAI endpoints). */
    CONTEXT_LENGTH_EXCEEDED(false),
    /** The remote backend has no server configured. */
    NOT_CONFIGURED(false),
    /** Too many consecutive failures of the model server: requests fail fast until the breaker closes again. */
    CIRCUIT_OPEN(false),
    /** The model server answered HTTP 5xx. */
    SERVER_ERROR(true),
    /** The model server answered another HTTP error (4xx); the message has the status and the server's text. */
    HTTP_ERROR(false),
    /** The model server put an error into its event stream. */
    STREAM_ERROR(false),
    /** DeepSeek's API stopped generating for lack of resources. */
    INSUFFICIENT_SYSTEM_RESOURCE(true),
    /** The model server's answer is not what the protocol says (not JSON, not an event stream). */
    BAD_RESPONSE(false),
    /** The event stream ended without its end marker. */
    STREAM_TRUNCATED(true),
    /** The stream broke after output was sent: discard the partial output and ask again. */
    STREAM_INTERRUPTED(true),
    /** No chunk within the idle timeout. */
    IDLE_TIMEOUT(true),
    /** No first chunk within the first-token timeout. */
    FIRST_TOKEN_TIMEOUT(true),
    /** No connection within the connect timeout. */
    CONNECT_TIMEOUT(true),
    /** The model server refused the connection. */
    CONNECT_FAILED(true),
    /** The connection to the model server broke. */
    CONNECTION_LOST(true),
    /** The request to the model server was cancelled. */
    CANCELLED(false),
    /** The HTTP client failed in another way. */
    CLIENT_ERROR(false),
    /** The request could not be written for the model server. */
    BAD_REQUEST(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** The code on the wire, e.g. {@code circuit_open}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether an error of this code may succeed when sent again, unless its raiser says otherwise. */
    public boolean retryable() {
        return retryable;
    }

    /** The code with this wire name, if there is one. */
    public static Optional<ErrorCode> fromWire(String wireName) {
        for (ErrorCode c : values()) {
            if (c.wireName().equals(wireName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
