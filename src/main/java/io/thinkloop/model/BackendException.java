package io.thinkloop.model;

import java.time.Duration;

/**
 * Why a backend's stream failed, as the agent loop sees it: the {@link ModelBackend#stream} Multi fails with
 * this exception. Its {@link #code()} and {@code retryable} reach clients unchanged (an {@code error} event, an
 * OpenAI error's {@code code}). {@code retryable} says whether asking again may succeed (rate limit, overload,
 * lost connection, timeout); when it is set after output was already streamed ({@link ErrorCode#STREAM_INTERRUPTED}),
 * the caller must discard that partial output before asking again, because backends never retry on their own once
 * a chunk has been emitted.
 */
public class BackendException extends RuntimeException {
    private final ErrorCode code;
    private final int httpStatus;
    private final boolean retryable;
    private final Duration retryAfter;

    public BackendException(
            ErrorCode code, int httpStatus, boolean retryable, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A failure without an HTTP answer, retryable as its code says by default. */
    public BackendException(ErrorCode code, String message) {
        this(code, 0, code.retryable(), null, message, null);
    }

    /** A short machine-readable reason, e.g. {@code rate_limited}, {@code idle_timeout}, {@code circuit_open}. */
    public ErrorCode code() {
        return code;
    }

    /** The HTTP status of the server's answer, or 0 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The server's {@code Retry-After}, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
