package io.thinkloop.mcp.protocol;

import java.util.concurrent.CompletionStage;

/**
 * A message channel carrying one JSON-RPC message per frame (a WebSocket text frame, a line of stdio,
 * an HTTP body or SSE event). Frames arriving before {@link #start} are kept and delivered then.
 */
public interface Transport {
    void start(Listener listener);

    /** Sends one message; safe from any thread. Fails when the channel is closed. */
    CompletionStage<Void> send(String frame);

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
