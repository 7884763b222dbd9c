package io.thinkloop.session;

/**
 * Sees every event of every session right after it is journaled and handed to the clients, e.g. for the
 * service's metrics (a CDI bean implementing this is found by {@link SessionManager}). Called under the
 * session's lock: it must be quick and must not block or emit.
 */
public interface SessionObserver {
    /** {@code journalNanos}: how long the journal append of this event took (0 for a deleted session's). */
    void onEvent(Session session, EventEnvelope envelope, long journalNanos);
}
