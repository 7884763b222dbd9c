package io.thinkloop.api;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.jboss.logging.Logger;

/**
 * A client that closes a stream (an SSE tab closed, a reset connection) is routine, yet the REST layer
 * reports a write that fails after the response started as an ERROR with a stack trace ("Exception in
 * SSE server handling, impossible to send it to client"). This log filter (on the console handler,
 * {@code quarkus.log.console.filter}) turns ERRORs whose cause is only the connection having gone into
 * one DEBUG line; every other ERROR passes unchanged.
 */
@LoggingFilter(name = "quiet-client-disconnects")
public final class QuietDisconnects implements Filter {
    private static final Logger LOG = Logger.getLogger(QuietDisconnects.class);

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()
                && record.getThrown() != null
                && ApiErrors.clientWentAway(record.getThrown())) {
            LOG.debugf("client went away (%s): %s", record.getLoggerName(), record.getThrown());
            return false;
        }
        return true;
    }
}
