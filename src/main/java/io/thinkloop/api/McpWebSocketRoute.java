package io.thinkloop.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.thinkloop.integration.McpServiceTools;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketAcceptor;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.WebSocketAccessPolicy;
import io.thinkloop.mcp.types.Implementation;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service as an MCP server: a Vert.x route at {@code /mcp/ws} (subprotocol {@code mcp}) serving
 * {@link McpServiceTools}. It is guarded like every other route: {@link ApiSecurity} asks for the API key
 * and applies the Origin rule before this route sees the request; {@code thinkloop.mcp.server.token}, when
 * set, is required in addition (query parameter, {@code bearer.TOKEN} subprotocol or header), never instead.
 * Each connection gets the {@link McpServer.Limits} of {@code thinkloop.mcp.server.*}: requests in flight
 * and per second, a time budget and a size cap per tool call, a bound on replies waiting for a client that
 * does not read. Also widens the HTTP server's WebSocket options (subprotocol, message size) through
 * {@link HttpServerOptionsCustomizer}.
 */
@ApplicationScoped
public class McpWebSocketRoute implements HttpServerOptionsCustomizer {

    @Inject
    Vertx vertx;

    @Inject
    McpServiceTools tools;

    @ConfigProperty(name = "thinkloop.mcp.server.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "thinkloop.mcp.server.token")
    Optional<String> token;

    @ConfigProperty(name = "thinkloop.mcp.server.max-message-bytes", defaultValue = "16777216")
    int maxMessageBytes;

    @ConfigProperty(name = "thinkloop.mcp.server.keep-alive", defaultValue = "30s")
    Duration keepAlive;

    @ConfigProperty(name = "thinkloop.mcp.server.max-in-flight", defaultValue = "8")
    int maxInFlight;

    @ConfigProperty(name = "thinkloop.mcp.server.rate-limit", defaultValue = "20")
    double rateLimit;

    @ConfigProperty(name = "thinkloop.mcp.server.call-timeout", defaultValue = "60s")
    Duration callTimeout;

    @ConfigProperty(name = "thinkloop.mcp.server.agent-call-timeout", defaultValue = "10m")
    Duration agentCallTimeout;

    @ConfigProperty(name = "thinkloop.mcp.server.max-result-bytes", defaultValue = "1048576")
    long maxResultBytes;

    @ConfigProperty(name = "thinkloop.mcp.server.max-queued-bytes", defaultValue = "8388608")
    long maxQueuedBytes;

    private volatile McpServer server;

    void register(@Observes Router router) {
        if (!enabled) {
            return;
        }
        McpServer.Limits limits = new McpServer.Limits(
                maxInFlight,
                rateLimit,
                callTimeout,
                Map.of(McpServiceTools.AGENT_TOOL, agentCallTimeout),
                maxResultBytes,
                maxQueuedBytes,
                5);
        server = new McpServer(
                new Implementation("thinkloop", version()), "Thinkloop service tools", tools.catalog(), 100, limits);
        // Origins are ApiSecurity's to decide (the session socket's rule, plus thinkloop.mcp.server.allowed-origins).
        McpWebSocketAcceptor acceptor = new McpWebSocketAcceptor(
                vertx,
                server,
                new WebSocketAccessPolicy(token.filter(t -> !t.isBlank()).orElse(null), List.of("*")),
                keepAlive);
        router.route(McpWebSocketServer.PATH)
                .handler(rc -> acceptor.handle(rc.request(), () -> UpgradedRequests.markDone(rc.request())));
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        McpWebSocketServer.httpOptions(options, maxMessageBytes);
    }

    public McpServer server() {
        return server;
    }

    private static String version() {
        String v = McpWebSocketRoute.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
