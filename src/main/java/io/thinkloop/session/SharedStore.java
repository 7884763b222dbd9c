package io.thinkloop.session;

import io.thinkloop.model.ChatMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Sessions in a store every replica of the service shares ({@code thinkloop.sessions.store} = {@code redis} or
 * {@code postgres}), so a client may connect to any replica and resume. Three things make that safe:
 *
 * <ul>
 *   <li><b>seq is the key of an event</b> in the store (the Redis stream id, the PostgreSQL primary key), so
 *       appends are ordered and a second append of a seq is refused ({@link SeqTakenException}), never stored
 *       twice;
 *   <li><b>a lease per session</b> ({@link #acquireLease}, with expiry and renewal): exactly one replica runs a
 *       session's turn at a time; a replica that dies stops renewing, and the one that takes the lease over closes
 *       the dead replica's turn as {@code interrupted};
 *   <li><b>live delivery from the store</b> ({@link #watch}): every replica's clients get events from the store
 *       (Redis {@code XREAD BLOCK}, PostgreSQL {@code LISTEN/NOTIFY}) on one watcher thread per replica, never an
 *       event loop, in seq order, whichever replica appended them.
 * </ul>
 *
 * Every method blocks on the network: callers run on virtual or worker threads.
 */
interface SharedStore extends AutoCloseable {

    /** The store's name for logs and health: {@code redis}, {@code postgres}. */
    String kind();

    /** Where it is, without credentials (for logs and health). */
    String location();

    /** Creates the session's record; false when it exists already (another replica or call created it). */
    boolean create(String id, Instant createdAt);

    /** The session as stored, with its open turn when its last turn never ended; null when it does not exist. */
    Stored load(String id);

    /** The conversation's messages from index {@code from} on (to catch up a copy that knows the first ones). */
    List<ChatMessage> messagesFrom(String id, int from);

    /** The seq of the session's last event, 0 if none. */
    long lastSeq(String id);

    /** The per-session journal. */
    Journal journal(String id, FsyncPolicy fsync);

    void writeMeta(SessionManager.Meta meta);

    /** Metadata of the sessions with ids after {@code cursor} (null: from the start), in id order, at most {@code limit}. */
    List<SessionManager.Meta> page(String cursor, int limit);

    void delete(String id);

    /** Takes the session's lease for {@code owner} when it is free, expired or already {@code owner}'s. */
    boolean acquireLease(String id, String owner, Duration ttl);

    /** Extends the lease; false when {@code owner} no longer holds it (it expired and another replica took it). */
    boolean renewLease(String id, String owner, Duration ttl);

    void releaseLease(String id, String owner);

    /** Starts delivering the session's events after {@code afterSeq} to {@code sink}, in seq order. */
    void watch(String id, long afterSeq, Sink sink);

    /** Stops delivering (the session's last local client left). */
    void unwatch(String id, Sink sink);

    /** Throws when the store cannot be reached (the health probe). */
    void ping();

    @Override
    void close();

    /** Receives a watched session's events, one at a time, in seq order, on the store's watcher thread. */
    interface Sink {
        void deliver(long seq, String eventJson);
    }

    /** A session as the store holds it. */
    record Stored(
            Instant createdAt,
            Instant updatedAt,
            List<ChatMessage> messages,
            long lastSeq,
            String openTurnId,
            int openTurnSteps) {}
}
