package io.thinkloop.session;

import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * One client's view of a session's event stream: first the journaled events it missed (replay), then
 * live ones, each sent once, in seq order, one send in flight at a time.
 *
 * <p>Backpressure: live events wait in a bounded queue ({@code capacity}). A client that cannot keep
 * up (or vanished without closing) fills it; the subscriber is then dropped ({@link #overflow()}) —
 * never the session, never another client — and the client resumes from the journal with its last
 * seq. So memory per client is bounded and a slow client cannot stall the turn that produces events.
 *
 * <p>The replay streams from the journal file: a batch of at most {@link #REPLAY_BATCH} events is read
 * (on a virtual thread, never on the event loop) when the previous one is nearly sent, so a client that
 * asks for {@code lastSeq=0} of a long session holds one batch, not the whole history.
 */
public abstract class EventSubscriber {
    private static final Logger LOG = Logger.getLogger(EventSubscriber.class);
    /** Events (and at most about {@link #REPLAY_BATCH_BYTES} characters) read from the journal at a time. */
    static final int REPLAY_BATCH = 64;

    static final int REPLAY_BATCH_BYTES = 256 * 1024;
    private static final ExecutorService READERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("replay-", 0).factory());

    private final int capacity;
    private final ArrayDeque<String> live;
    private final ArrayDeque<String> replayed = new ArrayDeque<>();
    private EventSource replay;
    private boolean reading;
    private boolean ready;
    private boolean sending;
    private boolean pumping;
    private boolean closed;
    private long lastQueuedSeq;

    protected EventSubscriber(int capacity) {
        this.capacity = capacity;
        this.live = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /** Sends one event's JSON text; completes when the transport took it. */
    protected abstract Uni<Void> send(String eventJson);

    /** The live queue overflowed: close the transport, telling the client to resume. */
    protected abstract void overflow();

    /** Sending failed (transport gone). */
    protected void failed(Throwable error) {
        close();
    }

    /**
     * Called by the session, under its lock, for each new event. Never blocks. Returns false once this
     * subscriber is closed (overflowed or gone), so the session drops it at once.
     */
    final synchronized boolean offer(long seq, String json) {
        if (closed) {
            return false;
        }
        if (seq <= lastQueuedSeq) {
            return true;
        }
        if (live.size() >= capacity) {
            closed = true;
            clear();
            overflow();
            return false;
        }
        lastQueuedSeq = seq;
        live.add(json);
        pump();
        return true;
    }

    /**
     * An event that is not journaled (seq 0: e.g. the turn's end when the journal cannot take it), queued
     * with the live ones.
     */
    final synchronized boolean offerTransient(String json) {
        if (closed) {
            return false;
        }
        if (live.size() >= capacity) {
            closed = true;
            clear();
            overflow();
            return false;
        }
        live.add(json);
        pump();
        return true;
    }

    /** Starts sending: the journal's events read by {@code source}, batch by batch, then the live ones. */
    final synchronized void start(EventSource source) {
        replay = source.done() ? null : source;
        ready = true;
        pump();
    }

    /**
     * The client has seen every event up to {@code seq} already: live events up to it are not sent again (a shared
     * store's replica may learn of events later than the client that saw them on another replica).
     */
    final synchronized void skipThrough(long seq) {
        lastQueuedSeq = Math.max(lastQueuedSeq, seq);
    }

    public final synchronized void close() {
        closed = true;
        clear();
    }

    private void clear() {
        live.clear();
        replayed.clear();
        replay = null;
    }

    /** Replayed events read but not yet sent (for tests of the per-client bound). */
    final synchronized int replayBuffered() {
        return replayed.size();
    }

    public final synchronized boolean isClosed() {
        return closed;
    }

    public final synchronized int queued() {
        return live.size();
    }

    private void pump() {
        if (pumping) {
            return; // a send completed synchronously inside the loop below: the loop goes on
        }
        pumping = true;
        try {
            while (ready && !sending && !closed) {
                String next = replayed.poll();
                if (replay != null && replayed.size() < REPLAY_BATCH / 2) {
                    readMore();
                }
                if (next == null) {
                    if (replay != null) {
                        return; // the next batch is being read; live events wait behind it
                    }
                    next = live.poll();
                }
                if (next == null) {
                    return;
                }
                sending = true;
                send(next).subscribe().with(ok -> sent(), this::sendFailed);
            }
        } finally {
            pumping = false;
        }
    }

    /** Reads the next batch on a virtual thread (file I/O never runs on the caller: it may be an event loop). */
    private void readMore() {
        if (reading || replay == null) {
            return;
        }
        reading = true;
        EventSource source = replay;
        READERS.execute(() -> {
            List<String> batch;
            try {
                batch = source.next(REPLAY_BATCH, REPLAY_BATCH_BYTES);
            } catch (IOException | RuntimeException e) {
                LOG.warnf(e, "replay from the journal failed; the client is disconnected and may resume");
                synchronized (this) {
                    reading = false;
                    closed = true;
                    clear();
                }
                failed(e);
                return;
            }
            synchronized (this) {
                reading = false;
                if (closed || replay != source) {
                    return;
                }
                replayed.addAll(batch);
                if (source.done()) {
                    replay = null;
                }
                pump();
            }
        });
    }

    private synchronized void sent() {
        sending = false;
        pump();
    }

    private void sendFailed(Throwable error) {
        synchronized (this) {
            sending = false;
            closed = true;
        }
        failed(error);
    }
}
