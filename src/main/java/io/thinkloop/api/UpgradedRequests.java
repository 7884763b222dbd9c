package io.thinkloop.api;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.reflect.Method;
import org.jboss.logging.Logger;

/**
 * Quarkus counts every request as in flight until its response ends, and a request upgraded to a
 * WebSocket never signals that (Vert.x hands the connection over): without this, every shutdown after any
 * WebSocket session waited out {@code quarkus.shutdown.timeout}. Each upgrade request is marked done when
 * its connection closes (session sockets are closed first thing at shutdown by {@link ConnectionDrain}).
 */
@ApplicationScoped
public class UpgradedRequests {
    private static final Logger LOG = Logger.getLogger(UpgradedRequests.class);

    void register(@Observes Filters filters) {
        filters.register(this::markDoneOnClose, 1000);
    }

    void markDoneOnClose(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request.connection().closeHandler(v -> markDone(request));
        }
        rc.next();
    }

    /** The wrapper's {@code done()} is idempotent but not public, hence reflection; if it ever goes, we only lose the fast shutdown. */
    public static void markDone(HttpServerRequest request) {
        try {
            QuarkusRequestWrapper wrapper = QuarkusRequestWrapper.get(request);
            if (wrapper != null) {
                Method done = QuarkusRequestWrapper.class.getDeclaredMethod("done");
                done.setAccessible(true);
                done.invoke(wrapper);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("could not mark an upgraded request done: %s", e);
        }
    }
}
