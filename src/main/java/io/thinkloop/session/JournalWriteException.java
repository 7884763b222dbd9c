package io.thinkloop.session;

import io.thinkloop.model.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A journal append failed (disk full, I/O error, no file descriptor left). The journal was cut back to
 * its last complete line, so nothing of the failed record is on disk and its seq is not used; the turn
 * that tried to write it ends with an {@code error} event of code {@link #CODE}.
 */
public final class JournalWriteException extends UncheckedIOException {
    /** The error code clients see. */
    public static final ErrorCode CODE = ErrorCode.JOURNAL_WRITE_FAILED;

    public JournalWriteException(String message, IOException cause) {
        super(message, cause);
    }
}
