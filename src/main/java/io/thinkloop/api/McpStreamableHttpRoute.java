package io.thinkloop.api;

import io.quarkus.runtime.ShutdownEvent;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpStreamableHttp;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service as an MCP server over Streamable HTTP at {@code /mcp}: the same {@link McpServer} (tools,
 * the {@code agent} tool, sessions' lifecycle) as {@code /mcp/ws}, behind the same guard as {@code /v1/*}
 * ({@link ApiSecurity#admit}: the API key as {@code Authorization: Bearer} when auth is on, the Origin
 * allow-list). Sessions end when idle for {@code thinkloop.mcp.server.http.session-idle} and at shutdown.
 */
@ApplicationScoped
public class McpStreamableHttpRoute {

    @Inject
    Vertx vertx;

    @Inject
    McpWebSocketRoute webSocketRoute;

    @Inject
    ApiSecurity security;

    @ConfigProperty(name = "thinkloop.mcp.server.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "thinkloop.mcp.server.max-message-bytes", defaultValue = "16777216")
    int maxMessageBytes;

    @ConfigProperty(name = "thinkloop.mcp.server.http.session-idle", defaultValue = "30m")
    Duration sessionIdle;

    @ConfigProperty(name = "thinkloop.mcp.server.http.max-sessions", defaultValue = "1000")
    int maxSessions;

    private volatile McpStreamableHttp transport;

    void register(@Observes Router router) {
        if (!enabled) {
            return;
        }
        // The guard runs before the body is read: an unauthenticated client cannot make us buffer anything.
        router.route(McpWebSocketServer.HTTP_PATH).handler(rc -> {
            if (!security.admit(rc)) {
                return;
            }
            McpStreamableHttp t = transport();
            if (t == null) {
                rc.response().setStatusCode(503).end("MCP server not started\n");
            } else {
                t.handle(rc.request(), maxMessageBytes);
            }
        });
    }

    /** Built on first use: the WebSocket route creates the shared server when the router is ready. */
    private McpStreamableHttp transport() {
        McpStreamableHttp t = transport;
        if (t == null) {
            synchronized (this) {
                McpServer server = webSocketRoute.server();
                if (transport == null && server != null) {
                    transport = new McpStreamableHttp(
                            vertx,
                            server,
                            new McpStreamableHttp.Options(sessionIdle, Math.max(1, maxSessions), 1000, 1000));
                }
                t = transport;
            }
        }
        return t;
    }

    void stop(@Observes ShutdownEvent ev) {
        McpStreamableHttp t = transport;
        if (t != null) {
            t.close();
        }
    }
}
