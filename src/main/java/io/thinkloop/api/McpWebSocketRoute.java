package io.thinkloop.api;

import io.thinkloop.integration.McpServiceTools;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
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
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service as an MCP server: a Vert.x route at {@code /mcp/ws} (subprotocol {@code mcp}, token by
 * query parameter, {@code bearer.TOKEN} subprotocol or header when {@code thinkloop.mcp.server.token} is
 * set; browser origins checked) serving {@link McpServiceTools}. Also widens the HTTP server's WebSocket
 * options (subprotocol, message size) through {@link HttpServerOptionsCustomizer}.
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

    @ConfigProperty(name = "thinkloop.mcp.server.allowed-origins")
    Optional<List<String>> allowedOrigins;

    @ConfigProperty(name = "thinkloop.mcp.server.max-message-bytes", defaultValue = "16777216")
    int maxMessageBytes;

    @ConfigProperty(name = "thinkloop.mcp.server.keep-alive", defaultValue = "30s")
    Duration keepAlive;

    private volatile McpServer server;

    void register(@Observes Router router) {
        if (!enabled) {
            return;
        }
        server = new McpServer(new Implementation("thinkloop", version()), "Thinkloop service tools", tools.catalog(), 100);
        McpWebSocketAcceptor acceptor = new McpWebSocketAcceptor(vertx, server,
                new WebSocketAccessPolicy(token.filter(t -> !t.isBlank()).orElse(null), allowedOrigins.orElse(List.of())), keepAlive);
        router.route(McpWebSocketServer.PATH).handler(rc -> acceptor.handle(rc.request(), () -> UpgradedRequests.markDone(rc.request())));
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
