package io.thinkloop.model;

import java.time.Duration;

/**
 * Why a backend's stream failed, as the agent loop sees it: the {@link ModelBackend#stream} Multi fails with
 * this exception. {@code retryable} says whether asking again may succeed (rate limit, overload, lost
 * connection, timeout); when it is set after output was already streamed ({@code code}
 * {@value #STREAM_INTERRUPTED}), the caller must discard that partial output before asking again, because
 * backends never retry on their own once a chunk has been emitted.
 */
public class BackendException extends RuntimeException {
    /** The stream broke after chunks were emitted; the partial completion is incomplete. */
    public static final String STREAM_INTERRUPTED = "stream_interrupted";

    private final String code;
    private final int httpStatus;
    private final boolean retryable;
    private final Duration retryAfter;

    public BackendException(String code, int httpStatus, boolean retryable, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public BackendException(String code, boolean retryable, String message) {
        this(code, 0, retryable, null, message, null);
    }

    /** A short machine-readable reason, e.g. {@code rate_limited}, {@code idle_timeout}, {@code http_400}. */
    public String code() {
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
