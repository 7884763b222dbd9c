package io.thinkloop.mcp.protocol;

import io.smallrye.mutiny.subscription.Cancellable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time {@link JsonRpcPeer}'s request timeouts run on: the system's monotonic clock and one daemon timer
 * thread, or, in tests, a clock they move by hand so a timeout is checked without waiting for it.
 */
public interface Scheduler {
    /** A monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now; the handle cancels it if it has not run. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** The system clock with a shared daemon timer thread. */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }

    /** The system scheduler: one timer thread for every peer (tasks only fail or cancel a request). */
    final class SystemScheduler implements Scheduler {
        static final SystemScheduler INSTANCE = new SystemScheduler();
        private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mcp-timeouts");
            t.setDaemon(true);
            return t;
        });

        private SystemScheduler() {}

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = TIMERS.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }
    }
}
