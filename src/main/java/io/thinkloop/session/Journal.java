package io.thinkloop.session;

import io.thinkloop.model.ChatMessage;

/**
 * Where one session's messages and events are made durable: the files of {@link SessionJournal} (the
 * default, one process owns them) or a shared store ({@link SharedStore}: Redis Streams, PostgreSQL), which
 * every replica of the service reads and writes. Callers serialise appends (the owning {@link Session} holds
 * its lock); an append returns once the event is as durable as {@code thinkloop.journal.fsync} asks.
 */
interface Journal extends AutoCloseable {

    void appendMessage(ChatMessage message);

    /**
     * Appends the event with this seq. A shared store refuses a seq that is taken already (another replica
     * appended it) with {@link SeqTakenException}: appends are ordered and idempotent by seq.
     */
    void appendEvent(long seq, String eventJson);

    /** The events with {@code after < seq <= upTo}, read a batch at a time. */
    EventSource replay(long after, long upTo);

    /** Makes what was appended durable now where the policy deferred it (batch policy, turn end). */
    void forceIfDirty();

    /** Lets go of what an idle session need not hold (open files); the next append takes it again. */
    void release();

    /** Open file descriptors (the file store's bound; 0 for shared stores, whose connections are pooled). */
    int openFiles();

    @Override
    void close();
}
