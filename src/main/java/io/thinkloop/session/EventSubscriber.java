package io.thinkloop.session;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * One client's view of a session's event stream: first the journaled events it missed (replay), then
 * live ones, each sent once, in seq order, one send in flight at a time.
 *
 * <p>Backpressure: live events wait in a bounded queue ({@code capacity}). A client that cannot keep
 * up (or vanished without closing) fills it; the subscriber is then dropped ({@link #overflow()}) —
 * never the session, never another client — and the client resumes from the journal with its last
 * seq. So memory per client is bounded and a slow client cannot stall the turn that produces events.
 */
public abstract class EventSubscriber {
    private final int capacity;
    private final ArrayDeque<String> live;
    private Iterator<String> replay;
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
            live.clear();
            replay = null;
            overflow();
            return false;
        }
        lastQueuedSeq = seq;
        live.add(json);
        pump();
        return true;
    }

    /** Starts sending: the missed events first, then what queued live meanwhile. */
    final synchronized void start(List<String> missed, long replayedUpTo) {
        replay = missed.iterator();
        ready = true;
        pump();
    }

    public final synchronized void close() {
        closed = true;
        live.clear();
        replay = null;
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
                String next = replay != null && replay.hasNext() ? replay.next() : live.poll();
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
