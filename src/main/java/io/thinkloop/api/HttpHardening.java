package io.thinkloop.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.thinkloop.model.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Per-request hardening in front of every route (it runs before {@link ApiSecurity}, so refusals get it too):
 *
 * <ul>
 * <li>Security headers: a Content-Security-Policy that allows only the service's own scripts, styles
 * and connections and no framing, {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy:
 * no-referrer} (not on {@code /q/*}, whose tools bring their own pages).</li>
 * <li>Request bodies: {@code POST /v1/sessions/{id}/messages} takes what a session-socket frame may
 * carry ({@code thinkloop.ws.max-message-size} characters, at most 3 bytes each in UTF-8); anything
 * announced larger than that, or than {@code quarkus.http.limits.max-body-size} elsewhere, is answered
 * 413 in the API's JSON error shape before the body is read.</li>
 * <li>WebSocket upgrades: the endpoint's own frame and message limits for the {@link ConnectionGuard}.</li>
 * <li>Metrics: a response that no route template claimed (a refusal before routing, a static file
 * under an odd spelling) is labelled {@code /{unrouted}}, so random paths cannot mint a label each.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpHardening {
    /** The Vert.x context key under which the REST layer (and here, this class) names the route template. */
    static final String URL_PATH_TEMPLATE = "UrlPathTemplate";

    static final String UNROUTED = "/{unrouted}";
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Pattern SESSION_SOCKET = Pattern.compile("/v1/sessions/[^/]+/ws");
    private static final Pattern SESSION_MESSAGES = Pattern.compile("/v1/sessions/[^/]+/messages");
    private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_.-]+)*/?");
    private static final int MCP_FRAME_CAP = 1024 * 1024;

    @ConfigProperty(name = "thinkloop.ws.max-message-size", defaultValue = "65536")
    int maxMessageChars;

    @ConfigProperty(name = "thinkloop.mcp.server.max-message-bytes", defaultValue = "16777216")
    int mcpMaxMessageBytes;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    void register(@Observes Filters filters) {
        filters.register(this::handle, 2000);
    }

    /** Bytes a session-socket message (or a REST user message) may have: every character can take 3. */
    long sessionMessageBytes() {
        return Math.min(Integer.MAX_VALUE, 3L * maxMessageChars);
    }

    void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String path = rc.normalizedPath();
        boolean quarkusTools = path.startsWith("/q/");
        if (!quarkusTools) {
            rc.response()
                    .headers()
                    .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .set("X-Content-Type-Options", "nosniff")
                    .set("X-Frame-Options", "DENY")
                    .set("Referrer-Policy", "no-referrer");
        }
        labelUnroutedResponses(rc, path);
        ConnectionGuard guard = guard(request);
        if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE)) && guard != null) {
            guard.expectUpgrade(webSocketLimits(path), request.getHeader("Sec-WebSocket-Extensions") != null);
        }
        long limit = request.method() == HttpMethod.POST
                        && SESSION_MESSAGES.matcher(path).matches()
                ? sessionMessageBytes()
                : maxBodySize.asLongValue();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLong(length, limit)) {
            String body = ApiErrors.body(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "request bodies here are limited to " + limit + " bytes"
                            + (limit == sessionMessageBytes() ? " (thinkloop.ws.max-message-size characters)" : ""),
                    false);
            rc.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(body);
            return;
        }
        rc.next();
    }

    private static boolean tooLong(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x's decoder has already refused a malformed length
        }
    }

    ConnectionGuard.WebSocketLimits webSocketLimits(String path) {
        if (path.equals("/mcp/ws")) {
            return new ConnectionGuard.WebSocketLimits(Math.min(mcpMaxMessageBytes, MCP_FRAME_CAP), mcpMaxMessageBytes);
        }
        int bytes = (int) sessionMessageBytes();
        return new ConnectionGuard.WebSocketLimits(bytes, bytes);
    }

    private static ConnectionGuard guard(HttpServerRequest request) {
        if (request.connection() instanceof ConnectionBase connection && request.version() != HttpVersion.HTTP_2) {
            return ConnectionGuard.install(connection.channel().pipeline(), request.isEnded());
        }
        return null;
    }

    private static void labelUnroutedResponses(RoutingContext rc, String path) {
        if (!(rc.request() instanceof HttpServerRequestInternal internal)) {
            return;
        }
        Context context = internal.context();
        rc.addHeadersEndHandler(v -> {
            if (context.getLocal(URL_PATH_TEMPLATE) != null) {
                return;
            }
            int status = rc.response().getStatusCode();
            if (status == 101 && SESSION_SOCKET.matcher(path).matches()) {
                context.putLocal(URL_PATH_TEMPLATE, "/v1/sessions/{id}/ws");
            } else if ((status >= 400 && status != 404)
                    || !PLAIN_PATH.matcher(path).matches()) {
                context.putLocal(URL_PATH_TEMPLATE, UNROUTED);
            }
        });
    }
}
