package io.thinkloop.mcp.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One end of an in-memory channel: a frame sent here is delivered to the other end's listener on the
 * sender's thread (or kept until that end starts). Records what it sent, so a test can read the wire.
 */
final class InMemoryTransport implements Transport {
    private final String name;
    private InMemoryTransport other;
    private Listener listener;
    private final List<String> early = new ArrayList<>();
    private volatile boolean open = true;
    final List<String> sent = new CopyOnWriteArrayList<>();

    private InMemoryTransport(String name) {
        this.name = name;
    }

    /** Two ends wired to each other. */
    static InMemoryTransport[] pair() {
        InMemoryTransport a = new InMemoryTransport("a");
        InMemoryTransport b = new InMemoryTransport("b");
        a.other = b;
        b.other = a;
        return new InMemoryTransport[] {a, b};
    }

    @Override
    public void start(Listener l) {
        List<String> pending;
        synchronized (this) {
            listener = l;
            pending = List.copyOf(early);
            early.clear();
        }
        pending.forEach(l::onMessage);
    }

    @Override
    public CompletionStage<Void> send(String frame) {
        if (!open) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("in-memory transport " + name + " is closed"));
        }
        sent.add(frame);
        other.deliver(frame);
        return CompletableFuture.completedFuture(null);
    }

    private void deliver(String frame) {
        Listener l;
        synchronized (this) {
            l = listener;
            if (l == null) {
                early.add(frame);
                return;
            }
        }
        l.onMessage(frame);
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        other.open = false;
        if (listener != null) {
            listener.onClose("closed locally");
        }
        if (other.listener != null) {
            other.listener.onClose("closed by the peer");
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public String describe() {
        return "in-memory " + name;
    }
}
