package io.thinkloop.session;

/**
 * A shared store already holds an event with this seq: another replica appended it (an event outside a turn,
 * which needs no lease). The appender catches up with the store's last seq and appends after it.
 */
final class SeqTakenException extends RuntimeException {
    SeqTakenException(String message) {
        super(message, null, false, false);
    }
}
