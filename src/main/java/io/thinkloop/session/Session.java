package io.thinkloop.session;

import io.thinkloop.model.ChatMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One conversation: its full message history (reasoning kept; the codec decides what a prompt shows),
 * its numbered event stream and the clients subscribed to it. Every message and event is journaled
 * before it is acknowledged or sent. Appends take the session's lock, so seq order, journal order and
 * delivery order are the same; the lock is held only for a file append and non-blocking queue offers.
 */
public final class Session {
    private final String id;
    private final Instant createdAt;
    private final SessionJournal journal;
    private final List<ChatMessage> history;
    private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicReference<ActiveTurn> turn = new AtomicReference<>();
    private long seq;
    private volatile boolean deleted;
    private volatile SessionObserver observer;

    Session(String id, Instant createdAt, SessionJournal journal, List<ChatMessage> history, long seq) {
        this.id = id;
        this.createdAt = createdAt;
        this.journal = journal;
        this.history = new ArrayList<>(history);
        this.seq = seq;
    }

    public String id() {
        return id;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Set by the manager when it opens the session. */
    void observe(SessionObserver o) {
        observer = o;
    }

    public synchronized long lastSeq() {
        return seq;
    }

    public boolean deleted() {
        return deleted;
    }

    /** Journals the event, gives it the next seq and hands it to every subscriber. */
    public synchronized EventEnvelope emit(String turnId, ServerEvent event) {
        EventEnvelope envelope = new EventEnvelope(id, turnId, seq + 1, Instant.now(), event);
        String json = envelope.toJsonText();
        long appendNanos = 0;
        if (!deleted) {
            long t0 = System.nanoTime();
            journal.appendEvent(json);
            appendNanos = System.nanoTime() - t0;
        }
        seq++;
        for (EventSubscriber s : subscribers) {
            if (!s.offer(envelope.seq(), json)) {
                subscribers.remove(s); // overflowed or closed: it resumes from the journal
            }
        }
        SessionObserver o = observer;
        if (o != null) {
            try {
                o.onEvent(this, envelope, appendNanos);
            } catch (RuntimeException e) {
                // an observer (metrics) never breaks a session
            }
        }
        return envelope;
    }

    /** Journals a message of the conversation, then adds it to the history. */
    public synchronized void append(ChatMessage message) {
        if (!deleted) {
            journal.appendMessage(message);
        }
        history.add(message);
    }

    public synchronized List<ChatMessage> history() {
        return List.copyOf(history);
    }

    /**
     * Subscribes a client that has seen every event up to {@code lastSeq} ({@code < 0}: only new ones).
     * The replay is read from the journal outside the lock (those lines are written already); events
     * emitted meanwhile queue in the subscriber and follow the replay: no gap, no duplicate.
     */
    public void subscribe(EventSubscriber subscriber, long lastSeq) {
        long upTo;
        synchronized (this) {
            upTo = seq;
            subscribers.add(subscriber);
        }
        long after = lastSeq < 0 ? upTo : Math.min(lastSeq, upTo);
        List<String> missed = journal.readEvents(after, upTo);
        subscriber.start(missed, upTo);
    }

    public void unsubscribe(EventSubscriber subscriber) {
        subscribers.remove(subscriber);
        subscriber.close();
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Claims the session for a new turn; false if one is running. */
    public synchronized boolean beginTurn(ActiveTurn t) {
        return turn.compareAndSet(null, t);
    }

    /**
     * Emits the turn's last event and releases the session in one step, so a client that reacts to
     * that event with a new message always finds the session free (both take the session's lock).
     */
    public void endTurn(ActiveTurn t, ServerEvent last) {
        synchronized (this) {
            try {
                if (last != null) {
                    emit(t.turnId(), last);
                }
            } finally {
                turn.compareAndSet(t, null);
            }
        }
        journal.forceIfDirty();
    }

    public ActiveTurn activeTurn() {
        return turn.get();
    }

    void forceJournal() {
        journal.forceIfDirty();
    }

    synchronized void markDeleted() {
        deleted = true;
        ActiveTurn t = turn.get();
        if (t != null) {
            t.cancel("session deleted");
        }
        subscribers.forEach(EventSubscriber::close);
        subscribers.clear();
        journal.close();
    }

    void closeJournal() {
        journal.close();
    }

    SessionJournal journal() {
        return journal;
    }
}
