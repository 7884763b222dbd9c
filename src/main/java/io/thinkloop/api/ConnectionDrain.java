package io.thinkloop.api;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Graceful shutdown for long-lived connections: an open session WebSocket counts as an HTTP request in
 * flight, so without this every shutdown with a client connected waited out the whole
 * {@code quarkus.shutdown.timeout}. When shutdown begins (the delay phase, before requests are awaited),
 * each session socket is closed with 1001 "going away"; clients reconnect (to this or another instance)
 * and resume from the journal with {@code lastSeq}, so nothing is lost.
 */
@ApplicationScoped
public class ConnectionDrain {
    private static final Logger LOG = Logger.getLogger(ConnectionDrain.class);
    static final CloseReason GOING_AWAY =
            new CloseReason(1001, "server shutting down: reconnect and resume with lastSeq");

    @Inject
    OpenConnections connections;

    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        int closed = 0;
        for (WebSocketConnection c : connections) {
            try {
                c.close(GOING_AWAY).await().atMost(Duration.ofSeconds(2));
                closed++;
            } catch (RuntimeException e) {
                LOG.debugf("closing %s on shutdown: %s", c.id(), e);
            }
        }
        if (closed > 0) {
            LOG.infof("shutdown: closed %d session WebSocket(s) with 1001 going away", closed);
        }
    }
}
