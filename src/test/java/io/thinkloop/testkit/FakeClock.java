package io.thinkloop.testkit;

import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.mcp.protocol.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Time as a test input: a monotonic nanosecond clock that only moves when the test calls {@link #advance},
 * running the tasks that fall due on the way, in order, on the calling thread. Stands in for the system
 * clock wherever code measures time: {@link Scheduler} (JSON-RPC timeouts) and {@code LongSupplier}
 * nano clocks (rate limits, the circuit breaker).
 */
public final class FakeClock implements Scheduler, LongSupplier {
    private record Task(long due, long order, Runnable run, boolean[] cancelled) {}

    private long now = 1_000_000_000L;
    private long nextOrder;
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public long getAsLong() {
        return nanoTime();
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + Math.max(0, delayNanos), nextOrder++, task, cancelled));
        return () -> {
            synchronized (FakeClock.this) {
                cancelled[0] = true;
            }
        };
    }

    /** Moves the clock forward, running every task due by then (tasks may schedule more). */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                tasks.removeIf(t -> t.cancelled()[0]);
                next = tasks.stream()
                        .filter(t -> t.due() <= target)
                        .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::order))
                        .orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.due());
            }
            next.run().run();
        }
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled()[0]).count();
    }
}
