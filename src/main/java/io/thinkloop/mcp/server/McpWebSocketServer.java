package io.thinkloop.mcp.server;

import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.transport.WebSocketTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A standalone Vert.x HTTP server with an MCP WebSocket at {@code /mcp/ws} and MCP Streamable HTTP at
 * {@code /mcp} (everything else is 404), both serving the same {@link McpServer} under the same
 * {@link WebSocketAccessPolicy}.
 */
public final class McpWebSocketServer {
    public static final String PATH = "/mcp/ws";
    public static final String HTTP_PATH = "/mcp";

    public record Options(String host, int port, int maxMessageSize, Duration keepAlive, WebSocketAccessPolicy policy) {
        public static Options loopback(int port) {
            return new Options(
                    "127.0.0.1",
                    port,
                    WebSocketClientConnector.DEFAULT_MAX_MESSAGE,
                    Duration.ofSeconds(30),
                    WebSocketAccessPolicy.OPEN);
        }
    }

    private final Vertx vertx;
    private final McpServer server;
    private final Options options;
    private HttpServer http;
    private McpStreamableHttp streamable;

    public McpWebSocketServer(Vertx vertx, McpServer server, Options options) {
        this.vertx = vertx;
        this.server = server;
        this.options = options;
    }

    /** HTTP server options for an MCP WebSocket: subprotocol {@code mcp}, the message size limit. */
    public static HttpServerOptions httpOptions(HttpServerOptions base, int maxMessageSize) {
        List<String> protocols = base.getWebSocketSubProtocols() == null
                ? new ArrayList<>()
                : new ArrayList<>(base.getWebSocketSubProtocols());
        if (!protocols.contains(WebSocketTransport.SUBPROTOCOL)) {
            protocols.add(WebSocketTransport.SUBPROTOCOL);
        }
        return base.setWebSocketSubProtocols(protocols)
                .setMaxWebSocketMessageSize(Math.max(base.getMaxWebSocketMessageSize(), maxMessageSize))
                .setMaxWebSocketFrameSize(
                        Math.max(base.getMaxWebSocketFrameSize(), Math.min(maxMessageSize, 1024 * 1024)));
    }

    public CompletionStage<McpWebSocketServer> start() {
        HttpServerOptions opts = httpOptions(
                new HttpServerOptions().setHost(options.host()).setPort(options.port()), options.maxMessageSize());
        McpWebSocketAcceptor acceptor = new McpWebSocketAcceptor(vertx, server, options.policy(), options.keepAlive());
        streamable = new McpStreamableHttp(vertx, server, McpStreamableHttp.Options.DEFAULT);
        http = vertx.createHttpServer(opts).requestHandler(req -> {
            if (PATH.equals(req.path())) {
                acceptor.handle(req);
            } else if (HTTP_PATH.equals(req.path())) {
                var verdict = options.policy()
                        .check(
                                req.getHeader("Origin"),
                                req.getHeader("Host"),
                                req.getParam("token"),
                                req.getHeader("Authorization"),
                                null);
                if (verdict instanceof WebSocketAccessPolicy.Verdict.Deny deny) {
                    req.response()
                            .setStatusCode(deny.httpStatus())
                            .putHeader("Content-Type", "text/plain")
                            .end(deny.reason() + "\n");
                } else {
                    streamable.handle(req, options.maxMessageSize());
                }
            } else {
                req.response().setStatusCode(404).end();
            }
        });
        return http.listen().map(s -> this).toCompletionStage();
    }

    public int port() {
        return http.actualPort();
    }

    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "ws://" + host + ":" + port() + PATH;
    }

    /** The Streamable HTTP endpoint of this server. */
    public String httpUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port() + HTTP_PATH;
    }

    public McpServer server() {
        return server;
    }

    public CompletionStage<Void> stop() {
        streamable.close();
        return http.close().toCompletionStage();
    }
}
