package io.thinkloop.backend.remote;

import java.util.List;

/**
 * Turns the events of one SSE response into items. One handler per attempt; calls are serialized.
 * Methods may throw {@link io.thinkloop.model.BackendException} (e.g. for an {@code error} event).
 */
interface SseHandler<T> {
    /** Items for one event's data ({@code [DONE]} included). */
    List<T> onData(String data);

    /** Whether the stream said it is complete ({@code [DONE]} or a finish reason). */
    boolean complete();

    /** Items owed at the end of a complete stream (closing tool calls, end event, usage). */
    List<T> onEnd();
}
