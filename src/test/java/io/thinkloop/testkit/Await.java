package io.thinkloop.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits for a condition instead of sleeping: polls it (every few milliseconds, backing off to 100 ms) until
 * it holds or the time limit passes, then fails naming what it waited for and the last value it saw. The
 * limit is generous on purpose: it only bounds a test that would otherwise hang; a passing test waits
 * exactly as long as the condition takes.
 */
public final class Await {
    /** What a test waits for by default: long enough for a loaded 2-core CI machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Await() {}

    /** A condition that may throw (an HTTP probe, say); an exception fails the wait. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A probe whose value is checked and, on time-out, shown. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    public static void until(String what, Condition condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition::holds, Boolean.TRUE::equals);
    }

    /** Polls {@code probe} until {@code done} accepts its value, and returns that value. */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_NANOS;
        T last;
        while (true) {
            try {
                last = probe.get();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("while waiting for " + what + ": " + e, e);
            }
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + (last instanceof Boolean ? "" : "; last seen: " + last));
            }
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
            pause = Math.min(MAX_POLL_NANOS, pause * 2);
        }
    }

    /**
     * Polls {@code probe} until it returns without throwing and its value is accepted; exceptions of the
     * given type mean "not yet" (a server still starting refuses connections).
     */
    public static <T> T untilNoException(
            String what,
            Duration timeout,
            Class<? extends Exception> notYet,
            Probe<T> probe,
            Predicate<? super T> done) {
        Object missing = new Object();
        @SuppressWarnings("unchecked")
        T value = (T) until(
                what,
                timeout,
                () -> {
                    try {
                        return probe.get();
                    } catch (Exception e) {
                        if (notYet.isInstance(e)) {
                            return missing;
                        }
                        throw e;
                    }
                },
                v -> v != missing && done.test((T) v));
        return value;
    }
}
