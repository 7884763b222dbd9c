package io.thinkloop.api;

/**
 * Per-connection guard on client frames: a size limit and a token-bucket rate limit (a burst of twice
 * the rate per second). Used by one connection's serial message handler.
 */
final class ConnectionLimits {
    private final int maxMessageChars;
    private final double ratePerSecond;
    private final double burst;
    private double tokens;
    private long lastNanos = System.nanoTime();

    ConnectionLimits(int maxMessageChars, double ratePerSecond) {
        this.maxMessageChars = maxMessageChars;
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
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * ratePerSecond);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
