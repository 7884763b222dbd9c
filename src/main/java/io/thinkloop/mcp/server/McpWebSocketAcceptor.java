package io.thinkloop.mcp.server;

import io.thinkloop.mcp.transport.WebSocketTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Turns an HTTP upgrade request into an MCP session: checks the {@link WebSocketAccessPolicy} (answering
 * 401/403 before the upgrade), upgrades, and hands the socket to the {@link McpServer}. Shared by the
 * standalone server and the service's {@code /mcp/ws} route.
 */
public final class McpWebSocketAcceptor {
    private static final Logger LOG = Logger.getLogger(McpWebSocketAcceptor.class);

    private final Vertx vertx;
    private final McpServer server;
    private final WebSocketAccessPolicy policy;
    private final Duration keepAlive;

    public McpWebSocketAcceptor(Vertx vertx, McpServer server, WebSocketAccessPolicy policy, Duration keepAlive) {
        this.vertx = vertx;
        this.server = server;
        this.policy = policy;
        this.keepAlive = keepAlive;
    }

    /**
     * The policy's verdict on any of the credentials the request carries: every {@code token} parameter and
     * every {@code Authorization} header is tried (at most a few), so the token may travel beside the service's
     * API key in the same kind of carrier.
     */
    private WebSocketAccessPolicy.Verdict verdict(HttpServerRequest request) {
        String origin = request.getHeader("Origin");
        String host = request.getHeader("Host");
        String subprotocols = request.getHeader("Sec-WebSocket-Protocol");
        List<String> tokens;
        try {
            tokens = request.params().getAll("token");
        } catch (IllegalArgumentException badQuery) {
            tokens = List.of();
        }
        List<String> auths = request.headers().getAll("Authorization");
        WebSocketAccessPolicy.Verdict verdict = policy.check(
                origin,
                host,
                tokens.isEmpty() ? null : tokens.getFirst(),
                auths.isEmpty() ? null : auths.getFirst(),
                subprotocols);
        for (int i = 1; i < Math.min(4, tokens.size()) && verdict instanceof WebSocketAccessPolicy.Verdict.Deny; i++) {
            verdict = policy.check(origin, host, tokens.get(i), null, subprotocols);
        }
        for (int i = 1; i < Math.min(4, auths.size()) && verdict instanceof WebSocketAccessPolicy.Verdict.Deny; i++) {
            verdict = policy.check(origin, host, null, auths.get(i), subprotocols);
        }
        return verdict;
    }

    public void handle(HttpServerRequest request) {
        handle(request, null);
    }

    /** As {@link #handle(HttpServerRequest)}; {@code onClosed} runs once the session's socket has closed. */
    public void handle(HttpServerRequest request, Runnable onClosed) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request.response()
                    .setStatusCode(426)
                    .putHeader("Upgrade", "websocket")
                    .end("MCP over WebSocket: connect with subprotocol mcp\n");
            return;
        }
        var verdict = verdict(request);
        if (verdict instanceof WebSocketAccessPolicy.Verdict.Deny deny) {
            request.response().setStatusCode(deny.httpStatus()).end(deny.reason() + "\n");
            return;
        }
        String remote = String.valueOf(request.remoteAddress());
        request.toWebSocket()
                .onSuccess(ws -> {
                    McpServerSession session = server.connect(new WebSocketTransport(
                            vertx,
                            ws,
                            "ws " + remote,
                            keepAlive,
                            server.limits().maxQueuedBytes()));
                    if (onClosed != null) {
                        session.peer().onClose(reason -> onClosed.run());
                    }
                })
                .onFailure(e -> LOG.debugf("WebSocket upgrade from %s failed: %s", remote, e.getMessage()));
    }
}
