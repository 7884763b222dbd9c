package io.thinkloop.session;

import io.thinkloop.model.ChatMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One conversation: its full message history (reasoning kept; the codec decides what a prompt shows),
 * its numbered event stream and the clients subscribed to it. Every message and event is journaled
 * before it is acknowledged or sent. Appends take the session's lock, so seq order, journal order and
 * delivery order are the same; the lock is held only for a file append and non-blocking queue offers.
 *
 * <p>The journal files are open only while a turn runs (or for a single append outside one). When an
 * append fails the turn still ends for its clients: its error and end are journaled if the journal
 * takes them again, else sent to the connected clients unjournaled (seq 0), and the next load closes
 * the turn as {@code interrupted}.
 */
public final class Session {
    private static final Logger LOG = Logger.getLogger(Session.class);

    /** What the owning manager hears about a session (its use, for eviction; a turn's end, for metadata). */
    interface Host {
        void used(Session session);

        void turnEnded(Session session);

        Host NONE = new Host() {
            @Override
            public void used(Session session) {}

            @Override
            public void turnEnded(Session session) {}
        };
    }

    private final String id;
    private final Instant createdAt;
    private final Journal journal;
    /** Null for the file store; else the shared store, this replica's lease owner name and the lease's length. */
    private final Sharing sharing;
    /** Shared store: whether this replica reads the session's events from the store for its clients. */
    private boolean watching;
    /** Shared store: the last seq the store delivered to this replica (the replay of a new client ends there). */
    private long tailSeq;
    /** Shared store: the turn the store shows open (another replica's, or one a dead replica left). */
    private final TurnTracker turns = new TurnTracker();
    /** This session as the store's watcher sees it (one object, so {@link SharedStore#unwatch} finds it). */
    private final SharedStore.Sink sink = this::dispatch;

    private final List<ChatMessage> history;
    private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicReference<ActiveTurn> turn = new AtomicReference<>();
    private final Host host;
    private long seq;
    private volatile boolean deleted;
    private volatile SessionObserver observer;
    private volatile Instant updatedAt;
    private volatile long lastUsedNanos = System.nanoTime();
    /** Set while the manager does not hold this session (evicted); a use re-admits it. */
    volatile boolean evicted;

    private boolean journalFailedInTurn;
    private boolean turnEmitted;

    /** How a session on a shared store takes its lease: the store, this replica's owner name, the lease's length. */
    record Sharing(SharedStore store, String owner, Duration leaseTtl) {}

    Session(String id, Instant createdAt, Journal journal, List<ChatMessage> history, long seq) {
        this(id, createdAt, createdAt, journal, history, seq, Host.NONE, null);
    }

    Session(
            String id,
            Instant createdAt,
            Instant updatedAt,
            Journal journal,
            List<ChatMessage> history,
            long seq,
            Host host,
            Sharing sharing) {
        this.id = id;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.journal = journal;
        this.history = new ArrayList<>(history);
        this.seq = seq;
        this.host = host;
        this.sharing = sharing;
    }

    private final PendingQuestions questions = new PendingQuestions();

    /** Questions to this session's user from outside the turn loop (MCP sampling approvals, elicitations). */
    public PendingQuestions questions() {
        return questions;
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

    public Instant updatedAt() {
        return updatedAt;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    private void used() {
        lastUsedNanos = System.nanoTime();
        if (evicted) {
            host.used(this);
        }
    }

    /**
     * Journals the event, gives it the next seq and hands it to every subscriber. A failed append
     * throws {@link JournalWriteException} (nothing of the event is on disk, its seq is not used).
     */
    public synchronized EventEnvelope emit(String turnId, ServerEvent event) {
        EventEnvelope envelope = new EventEnvelope(id, turnId, seq + 1, Instant.now(), event);
        String json = envelope.toJsonText();
        long appendNanos = 0;
        if (!deleted) {
            long t0 = System.nanoTime();
            try {
                for (int attempt = 1; ; attempt++) {
                    try {
                        journal.appendEvent(envelope.seq(), json);
                        break;
                    } catch (SeqTakenException taken) {
                        // another replica appended meanwhile (an event outside a turn): continue after its last
                        if (sharing == null || attempt >= 8) {
                            throw new JournalWriteException(taken.getMessage(), new IOException(taken.getMessage()));
                        }
                        seq = Math.max(seq, sharing.store().lastSeq(id));
                        envelope = new EventEnvelope(id, turnId, seq + 1, envelope.timestamp(), event);
                        json = envelope.toJsonText();
                    }
                }
            } catch (JournalWriteException e) {
                if (turn.get() != null) {
                    journalFailedInTurn = true;
                } else {
                    journal.release();
                }
                throw e;
            }
            appendNanos = System.nanoTime() - t0;
            if (turn.get() == null) {
                journal.release(); // outside a turn: no descriptor stays open
            }
        }
        seq = envelope.seq();
        updatedAt = envelope.timestamp();
        if (turnId != null) {
            turnEmitted = true;
        }
        if (sharing == null) {
            offerAll(envelope.seq(), json);
        } else {
            turns.accept(json); // clients get it from the store, whichever replica they are connected to
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

    private void offerAll(long eventSeq, String json) {
        for (EventSubscriber s : subscribers) {
            if (!s.offer(eventSeq, json)) {
                subscribers.remove(s); // overflowed or closed: it resumes from the journal
            }
        }
    }

    /**
     * Shared store: an event the store delivered (appended by this replica or another), in seq order, on the
     * store's watcher thread. It goes to this replica's clients; one appended elsewhere also advances this copy.
     */
    synchronized void dispatch(long eventSeq, String json) {
        if (eventSeq > seq) {
            seq = eventSeq;
            updatedAt = Instant.now();
            turns.accept(json);
        }
        tailSeq = Math.max(tailSeq, eventSeq);
        offerAll(eventSeq, json);
    }

    /**
     * Shared store: brings this copy up to the store (events and messages another replica appended since it was
     * loaded or last caught up). Called under the lease, before a turn, and so never races an append.
     */
    private void catchUp() {
        long stored = sharing.store().lastSeq(id);
        if (stored > seq) {
            EventSource missed = journal.replay(seq, stored);
            try {
                while (!missed.done()) {
                    missed.next(1024, 4 << 20).forEach(turns::accept);
                }
            } catch (IOException e) {
                throw new JournalWriteException("cannot read session " + id + " from the store: " + e.getMessage(), e);
            }
            seq = stored;
            updatedAt = Instant.now();
        }
        history.addAll(sharing.store().messagesFrom(id, history.size()));
    }

    /**
     * Shared store: brings this copy up to the store when no turn runs here, so a read on this replica (transcript,
     * info) shows what another replica's turns added.
     */
    synchronized void refresh() {
        if (sharing != null && turn.get() == null && !deleted) {
            catchUp();
        }
    }

    /** Shared store: the turn state the store showed when this copy was loaded. */
    void storedTurn(String openTurnId, int steps) {
        turns.reset(openTurnId, steps);
    }

    /** An event for the connected clients only: seq 0, not journaled, never replayed. */
    private void deliverTransient(String turnId, ServerEvent event) {
        String json = new EventEnvelope(id, turnId, 0, Instant.now(), event).toJsonText();
        for (EventSubscriber s : subscribers) {
            if (!s.offerTransient(json)) {
                subscribers.remove(s);
            }
        }
    }

    /** Journals a message of the conversation, then adds it to the history. */
    public synchronized void append(ChatMessage message) {
        if (!deleted) {
            try {
                journal.appendMessage(message);
            } catch (JournalWriteException e) {
                if (turn.get() != null) {
                    journalFailedInTurn = true;
                } else {
                    journal.release();
                }
                throw e;
            }
            if (turn.get() == null) {
                journal.release();
            }
        }
        history.add(message);
    }

    /** Number of messages in the conversation. */
    public synchronized int messageCount() {
        return history.size();
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
            used();
            if (sharing != null) {
                // events come from the store; the client saw up to lastSeq, maybe more than this copy knows
                subscriber.skipThrough(lastSeq);
                if (!watching) {
                    watching = true;
                    tailSeq = seq;
                    sharing.store().watch(id, seq, sink);
                }
                upTo = tailSeq;
            } else {
                upTo = seq;
            }
            subscribers.add(subscriber);
        }
        long after = lastSeq < 0 ? upTo : Math.min(lastSeq, upTo);
        subscriber.start(journal.replay(after, upTo));
    }

    public void unsubscribe(EventSubscriber subscriber) {
        subscribers.remove(subscriber);
        subscriber.close();
        lastUsedNanos = System.nanoTime();
        synchronized (this) {
            if (sharing != null && watching && subscribers.isEmpty()) {
                stopWatching();
            }
        }
    }

    private void stopWatching() {
        watching = false;
        sharing.store().unwatch(id, sink);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Claims the session for a new turn; false if one is running. */
    public synchronized boolean beginTurn(ActiveTurn t) {
        used();
        if (turn.get() != null) {
            return false;
        }
        if (sharing != null) {
            // exactly one replica runs a turn of this session: the one holding its lease in the store
            if (!sharing.store().acquireLease(id, sharing.owner(), sharing.leaseTtl())) {
                return false;
            }
            try {
                catchUp();
                if (turns.openTurn() != null) {
                    // the lease was free, yet the store shows a turn open: its replica died mid-turn
                    closeInterruptedTurn(turns.openTurn(), turns.steps());
                }
            } catch (RuntimeException e) {
                sharing.store().releaseLease(id, sharing.owner());
                throw e;
            }
        }
        if (!turn.compareAndSet(null, t)) {
            return false;
        }
        journalFailedInTurn = false;
        turnEmitted = false;
        return true;
    }

    /**
     * Emits the turn's last event and releases the session in one step, so a client that reacts to
     * that event with a new message always finds the session free (both take the session's lock).
     * When the journal failed during the turn and cannot take its end either, the connected clients
     * still get an {@code error} ({@link JournalWriteException#CODE}) and {@code turn.completed}
     * {@code error}, unjournaled; the next load of the session closes the turn as {@code interrupted}.
     */
    public void endTurn(ActiveTurn t, ServerEvent last) {
        synchronized (this) {
            try {
                boolean ended = false;
                if (last != null) {
                    try {
                        emit(t.turnId(), last);
                        ended = true;
                    } catch (JournalWriteException e) {
                        LOG.errorf(
                                "session %s: the end of turn %s could not be journaled: %s",
                                id, t.turnId(), e.getMessage());
                    }
                }
                if (!ended && journalFailedInTurn && turnEmitted) {
                    deliverTransient(
                            t.turnId(),
                            new ServerEvent.Error(
                                    JournalWriteException.CODE,
                                    "the session's journal could not be written; the turn ended",
                                    true));
                    deliverTransient(t.turnId(), new ServerEvent.TurnCompleted("error", 0));
                }
            } finally {
                if (sharing != null && turn.get() == t) {
                    sharing.store().releaseLease(id, sharing.owner());
                }
                turn.compareAndSet(t, null);
                journalFailedInTurn = false;
                lastUsedNanos = System.nanoTime();
            }
        }
        journal.forceIfDirty();
        journal.release();
        host.turnEnded(this);
    }

    /**
     * At load: a turn the journal shows started but never ended (the process died mid-turn) is closed,
     * so resuming clients see an end: every tool call left without a result gets one in the history, and
     * {@code turn.completed {finishReason: "interrupted"}} is journaled.
     */
    synchronized void closeInterruptedTurn(String turnId, int steps) {
        Set<String> open = new HashSet<>();
        ChatMessage calling = null; // the latest assistant message with tool calls not followed by a user message
        for (ChatMessage m : history) {
            if (m.role() == ChatMessage.Role.ASSISTANT
                    && m.toolCalls() != null
                    && !m.toolCalls().isEmpty()) {
                calling = m;
                open.clear();
                m.toolCalls().forEach(c -> open.add(c.id()));
            } else if (m.role() == ChatMessage.Role.TOOL) {
                open.remove(m.toolCallId());
            } else if (m.role() == ChatMessage.Role.USER) {
                calling = null;
                open.clear();
            }
        }
        if (calling != null) {
            for (var call : calling.toolCalls()) {
                if (open.contains(call.id())) {
                    append(ChatMessage.tool(call.id(), "interrupted: the service stopped before this call finished"));
                }
            }
        }
        emit(turnId, new ServerEvent.TurnCompleted(ServerEvent.TurnCompleted.INTERRUPTED, steps));
        LOG.warnf(
                "session %s: turn %s was interrupted (the service stopped mid-turn); closed it with turn.completed interrupted",
                id, turnId);
    }

    /**
     * Shared store: extends the lease of the running turn; when another replica took it (this one stalled past its
     * expiry) the turn is cancelled, so two replicas never go on appending to one session.
     */
    void renewLease() {
        ActiveTurn t = turn.get();
        if (sharing == null || t == null) {
            return;
        }
        if (!sharing.store().renewLease(id, sharing.owner(), sharing.leaseTtl()) && turn.get() == t) {
            LOG.errorf("session %s: its lease was lost to another replica; turn %s is cancelled", id, t.turnId());
            t.cancel("the session's lease was lost");
        }
    }

    /**
     * Shared store, for a session with clients here and a turn the store shows open with no turn running here:
     * when the lease is free (the replica running the turn died and its lease expired) this replica takes it and
     * closes the turn as {@code interrupted}, so resumed clients see its end. True when it closed one.
     */
    synchronized boolean closeAbandonedTurn() {
        if (sharing == null || turn.get() != null || turns.openTurn() == null || deleted) {
            return false;
        }
        if (!sharing.store().acquireLease(id, sharing.owner(), sharing.leaseTtl())) {
            return false; // its replica is alive and renewing
        }
        try {
            catchUp();
            if (turns.openTurn() == null) {
                return false;
            }
            closeInterruptedTurn(turns.openTurn(), turns.steps());
            return true;
        } finally {
            sharing.store().releaseLease(id, sharing.owner());
        }
    }

    /** Shared store: the store shows a turn open that is not running here. */
    synchronized boolean hasForeignOpenTurn() {
        return sharing != null && turn.get() == null && turns.openTurn() != null;
    }

    /** For eviction: true (and the files released) when no turn runs and no client is subscribed. */
    synchronized boolean idle() {
        if (turn.get() != null || !subscribers.isEmpty()) {
            return false;
        }
        if (sharing != null && watching) {
            stopWatching();
        }
        journal.forceIfDirty();
        journal.release();
        return true;
    }

    public ActiveTurn activeTurn() {
        return turn.get();
    }

    /** Marks the session as used now (keeps it loaded a while longer). */
    public void touch() {
        used();
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
        if (sharing != null && watching) {
            stopWatching();
        }
        journal.close();
    }

    void closeJournal() {
        journal.close();
    }

    Journal journal() {
        return journal;
    }
}
