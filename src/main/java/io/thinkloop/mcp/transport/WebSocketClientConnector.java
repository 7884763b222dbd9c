package io.thinkloop.mcp.transport;

import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Connects to an MCP WebSocket server ({@code ws://} or {@code wss://}), offering subprotocol {@code mcp}.
 * A token goes in the {@code token} query parameter (what browsers and the TypeScript SDK can do) and as
 * a bearer header.
 */
public final class WebSocketClientConnector implements Connector {
    public static final int DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

    private final Vertx vertx;
    private final URI uri;
    private final String token;
    private final Map<String, String> headers;
    private final Duration keepAlive;
    private final WebSocketClient client;
    private final boolean tokenInSubprotocol;

    public WebSocketClientConnector(
            Vertx vertx, URI uri, String token, Map<String, String> headers, int maxMessageSize, Duration keepAlive) {
        this(vertx, uri, token, headers, maxMessageSize, keepAlive, false);
    }

    /**
     * With {@code tokenInSubprotocol} the token travels as a second offered subprotocol {@code bearer.TOKEN}
     * (the server still selects {@code mcp}) instead of the query string and header.
     */
    public WebSocketClientConnector(
            Vertx vertx,
            URI uri,
            String token,
            Map<String, String> headers,
            int maxMessageSize,
            Duration keepAlive,
            boolean tokenInSubprotocol) {
        this.tokenInSubprotocol = tokenInSubprotocol;
        this.vertx = vertx;
        this.uri = uri;
        this.token = token;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
        this.keepAlive = keepAlive;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxMessageSize(maxMessageSize)
                .setMaxFrameSize(Math.min(maxMessageSize, 1024 * 1024))
                .setConnectTimeout(10_000));
    }

    public WebSocketClientConnector(Vertx vertx, URI uri) {
        this(vertx, uri, null, Map.of(), DEFAULT_MAX_MESSAGE, Duration.ofSeconds(30));
    }

    @Override
    public CompletionStage<Transport> connect() {
        String target = uri.toString();
        boolean hasToken = token != null && !token.isEmpty();
        if (hasToken && !tokenInSubprotocol) {
            target += (uri.getRawQuery() == null ? "?" : "&") + "token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8);
        }
        WebSocketConnectOptions options =
                new WebSocketConnectOptions().setAbsoluteURI(target).addSubProtocol(WebSocketTransport.SUBPROTOCOL);
        headers.forEach(options::addHeader);
        if (hasToken && tokenInSubprotocol) {
            options.addSubProtocol("bearer." + token);
        } else if (hasToken) {
            options.addHeader("Authorization", "Bearer " + token);
        }
        return client.connect(options)
                .<Transport>map(ws -> new WebSocketTransport(vertx, ws, uri.toString(), keepAlive))
                .toCompletionStage();
    }

    @Override
    public String describe() {
        return uri.toString();
    }
}
