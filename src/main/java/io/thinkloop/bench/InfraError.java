package io.thinkloop.bench;

/** A trial that says nothing about the agent (connection lost, backend unavailable, no output by the deadline): re-queued, not scored. */
public final class InfraError extends Exception {
    public InfraError(String message) {
        super(message);
    }

    public InfraError(String message, Throwable cause) {
        super(message, cause);
    }
}
