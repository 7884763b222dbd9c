package io.thinkloop.backend.remote;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Consecutive-failure circuit breaker: after {@code threshold} failed attempts in a row the circuit opens
 * and requests fail fast for {@code openFor}; then one trial request is let through (half-open), whose
 * outcome closes or re-opens it. Failures are server-side ones (5xx, 429, timeouts, lost connections);
 * a 4xx for a bad request says nothing about the server's health.
 */
public final class CircuitBreaker {
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final int threshold;
    private final long openForNanos;
    private final LongSupplier clock;
    private int failures;
    private long openedAt;
    private State state = State.CLOSED;
    private boolean trialInFlight;

    public CircuitBreaker(int threshold, Duration openFor) {
        this(threshold, openFor, System::nanoTime);
    }

    CircuitBreaker(int threshold, Duration openFor, LongSupplier clock) {
        this.threshold = Math.max(1, threshold);
        this.openForNanos = openFor.toNanos();
        this.clock = clock;
    }

    /** Whether an attempt may start now. */
    public synchronized boolean tryAcquire() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openForNanos) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (trialInFlight) {
                    yield false;
                }
                trialInFlight = true;
                yield true;
            }
        };
    }

    public synchronized void onSuccess() {
        failures = 0;
        state = State.CLOSED;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = clock.getAsLong();
            trialInFlight = false;
        }
    }

    /** The attempt ended without saying anything about the server (cancelled, client error). */
    public synchronized void onNeutral() {
        if (state == State.HALF_OPEN) {
            trialInFlight = false;
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openForNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }
}
