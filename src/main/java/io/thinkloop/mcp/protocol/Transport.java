package io.thinkloop.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * A message channel carrying one JSON-RPC message per frame (a WebSocket text frame, a line of stdio,
 * an HTTP body or SSE event). Frames arriving before {@link #start} are kept and delivered then.
 */
public interface Transport {
    void start(Listener listener);

    /** Sends one message; safe from any thread. Fails when the channel is closed. */
    CompletionStage<Void> send(String frame);

    /**
     * Sends a message that belongs to the inbound request {@code relatedRequestId}: its response
     * ({@code response} true), or a notification or request sent while serving it. Transports with a
     * channel per request (Streamable HTTP: the POST's SSE stream) route it there; the others just send.
     */
    default CompletionStage<Void> send(String frame, JsonNode relatedRequestId, boolean response) {
        return send(frame);
    }

    /**
     * Asks the client to poll: ends the channel of the inbound request {@code relatedRequestId} without
     * ending the request (Streamable HTTP: closes its SSE stream, the client resumes with
     * {@code Last-Event-ID} after {@code retryMillis}). False where the transport has no such channel.
     */
    default boolean closeRequestStream(JsonNode relatedRequestId, long retryMillis) {
        return false;
    }

    void close();

    boolean isOpen();

    /** For logs and health: where this transport goes. */
    String describe();

    interface Listener {
        void onMessage(String frame);

        /** Called once when the channel is gone, whoever closed it. */
        void onClose(String reason);
    }
}
