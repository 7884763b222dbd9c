package io.thinkloop.api;

import java.util.function.LongSupplier;

/**
 * Per-connection guard on client frames: a size limit and a token-bucket rate limit (a burst of twice
 * the rate per second). Used by one connection's serial message handler.
 */
final class ConnectionLimits {
    private final int maxMessageChars;
    private final double ratePerSecond;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    ConnectionLimits(int maxMessageChars, double ratePerSecond) {
        this(maxMessageChars, ratePerSecond, System::nanoTime);
    }

    /** With the clock the bucket refills by (tests move a fake one). */
    ConnectionLimits(int maxMessageChars, double ratePerSecond, LongSupplier nanoClock) {
        this.maxMessageChars = maxMessageChars;
        this.nanoClock = nanoClock;
        this.lastNanos = nanoClock.getAsLong();
        this.ratePerSecond = ratePerSecond;
        this.burst = Math.max(1, ratePerSecond * 2);
        this.tokens = burst;
    }

    boolean tooLarge(String text) {
        return text.length() > maxMessageChars;
    }

    int maxMessageChars() {
        return maxMessageChars;
    }

    synchronized boolean allow() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * ratePerSecond);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
