package io.thinkloop.session;

/** The turn a session is running, as the session and its clients can act on it. */
public interface ActiveTurn {
    String turnId();

    /** Cancels everything the turn is doing (model stream, tool calls, approvals) and ends it. */
    void cancel(String reason);

    /** Resolves a pending approval; false if no call with that id waits for one. */
    boolean decide(String toolCallId, boolean approved, String reason);
}
