package io.thinkloop.mcp.protocol;

import java.time.Duration;

/**
 * Per-request limits: {@code timeout} runs from the send and, when {@code resetOnProgress}, restarts at
 * each progress notification, but never past {@code maxTotal}. {@code onProgress} (may be null) asks
 * the peer for progress by adding {@code _meta.progressToken}.
 */
public record RequestOptions(
        Duration timeout, Duration maxTotal, boolean resetOnProgress, ProgressListener onProgress) {
    public static final RequestOptions DEFAULT =
            new RequestOptions(Duration.ofSeconds(60), Duration.ofMinutes(10), true, null);

    public RequestOptions withProgress(ProgressListener listener) {
        return new RequestOptions(timeout, maxTotal, resetOnProgress, listener);
    }

    public RequestOptions withTimeout(Duration t) {
        return new RequestOptions(t, maxTotal, resetOnProgress, onProgress);
    }

    public RequestOptions withMaxTotal(Duration t) {
        return new RequestOptions(timeout, t, resetOnProgress, onProgress);
    }

    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(double progress, Double total, String message);
    }
}
