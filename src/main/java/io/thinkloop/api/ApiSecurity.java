package io.thinkloop.api;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.WebSocketAccessPolicy;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.openai.OpenAiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Guards every route (REST, Server-Sent Events, WebSocket upgrades, {@code /mcp/ws}, {@code /q/metrics})
 * before any handler runs. Deny by default: only the paths {@link PublicPaths} lists (the console's static
 * files, {@code /q/health*}) pass without a key, and only when spelled exactly so. Any other spelling
 * (a matrix parameter, an encoded character, {@code //}, a dot segment, another case) needs the key, so no
 * router's idea of the path can turn a protected route into a public one.
 *
 * <ul>
 * <li>API keys: {@code Authorization: Bearer KEY}, or {@code ?token=KEY} where a client cannot set
 * headers (browser WebSockets, EventSource), or a {@code bearer.KEY} subprotocol offer on an upgrade.
 * Keys come from {@code thinkloop.api-key} (environment
 * {@code THINKLOOP_API_KEY}) and {@code thinkloop.security.api-keys}. Required unless
 * {@code thinkloop.security.auth-enabled=false} (the default only in dev and test mode).</li>
 * <li>No key configured in prod: like Jupyter, the service generates one, stores it in
 * {@code DATA_DIR/api-key} (created with mode 600 in a 700 directory, reused on restart) and logs where it
 * is and its fingerprint, never the key — an open agent that runs
 * tools must never be reachable without a key, and refusing to start would punish a first run.</li>
 * <li>Origin allow-list ({@code thinkloop.security.allowed-origins}, comma-separated, {@code *} for
 * any): a request with an {@code Origin} header not on the list is refused (403), so a web page the
 * user visits cannot drive the agent. Requests without {@code Origin} (non-browser clients) pass. The same
 * rule holds for {@code /mcp/ws}, where {@code thinkloop.mcp.server.allowed-origins} may add origins.</li>
 * </ul>
 */
@ApplicationScoped
public class ApiSecurity {
    private static final Logger LOG = Logger.getLogger(ApiSecurity.class);
    private static final int MAX_CREDENTIALS = 8;

    @ConfigProperty(name = "thinkloop.security.auth-enabled", defaultValue = "true")
    boolean authEnabled;

    @ConfigProperty(name = "thinkloop.api-key")
    Optional<String> apiKey;

    @ConfigProperty(name = "thinkloop.security.api-keys")
    Optional<List<String>> moreKeys;

    @ConfigProperty(name = "thinkloop.security.allowed-origins")
    Optional<List<String>> allowedOrigins;

    @ConfigProperty(name = "thinkloop.mcp.server.allowed-origins")
    Optional<List<String>> mcpAllowedOrigins;

    @ConfigProperty(name = "thinkloop.security.metrics-public", defaultValue = "false")
    boolean metricsPublic;

    @ConfigProperty(name = "thinkloop.data-dir")
    Path dataDir;

    private volatile List<byte[]> keys = List.of();

    void onStart(@Observes StartupEvent ev) {
        List<byte[]> all = new ArrayList<>();
        apiKey.filter(k -> !k.isBlank()).ifPresent(k -> all.add(k.trim().getBytes(StandardCharsets.UTF_8)));
        moreKeys.ifPresent(ks -> ks.stream()
                .filter(k -> !k.isBlank())
                .forEach(k -> all.add(k.trim().getBytes(StandardCharsets.UTF_8))));
        if (authEnabled && all.isEmpty()) {
            all.add(generatedKey().getBytes(StandardCharsets.UTF_8));
        }
        keys = List.copyOf(all);
        if (!authEnabled) {
            LOG.warn("API authentication is disabled (thinkloop.security.auth-enabled=false)"
                    + (LaunchMode.current() == LaunchMode.NORMAL
                            ? ": anyone who reaches this port can run the agent"
                            : ""));
        }
    }

    private String generatedKey() {
        Path file = dataDir.resolve("api-key");
        try {
            PrivateFiles.directory(dataDir);
            if (Files.exists(file)) {
                String k = Files.readString(file).trim();
                if (!k.isEmpty()) {
                    PrivateFiles.narrow(file);
                    LOG.infof("no API key configured: using the generated key %s stored in %s", fingerprint(k), file);
                    return k;
                }
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String k = "tl_" + HexFormat.of().formatHex(random);
            PrivateFiles.write(file, k + "\n");
            LOG.infof(
                    "no API key configured (THINKLOOP_API_KEY): generated one, %s, and stored it in %s (readable only by this user)",
                    fingerprint(k), file);
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the generated API key in " + file, e);
        }
    }

    /** How a key appears in logs: enough to tell keys apart, never enough to use one. */
    static String fingerprint(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return key.substring(0, Math.min(3, key.length())) + "…(sha256:"
                    + HexFormat.of().formatHex(sha, 0, 4) + ")";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, 100);
    }

    private void check(RoutingContext rc) {
        if (PublicPaths.isPublic(rc.request().path(), metricsPublic) || admit(rc)) {
            rc.next();
        }
    }

    /**
     * The guard of every route that is not public: true when the request may pass; otherwise it has been
     * answered (403 for a foreign Origin, 401 without a key). Endpoints served outside the filter chain's
     * reach (the MCP endpoint {@code /mcp} reads its body itself) call it too, before reading anything.
     */
    public boolean admit(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null
                && !sameOrigin(rc, origin)
                && !originAllowed(origin, McpWebSocketServer.PATH.equals(request.path()))) {
            deny(
                    rc,
                    403,
                    ErrorCode.ORIGIN_NOT_ALLOWED,
                    "origin " + origin + " is not in thinkloop.security.allowed-origins");
            return false;
        }
        if (authEnabled && !anyKeyMatches(request)) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            deny(rc, 401, ErrorCode.UNAUTHORIZED, "send an API key: Authorization: Bearer KEY, or ?token=KEY");
            return false;
        }
        return true;
    }

    /**
     * The web console is served by this service, so its own origin needs no allow-list entry. Without
     * authentication this holds only for loopback hosts: a DNS-rebinding page reaches us under its own
     * host name, which then does not count as ours.
     */
    private boolean sameOrigin(RoutingContext rc, String origin) {
        String host = rc.request().getHeader(HttpHeaders.HOST);
        int sep = origin.indexOf("://");
        if (host == null || sep < 0 || !origin.substring(sep + 3).equalsIgnoreCase(host)) {
            return false;
        }
        return authEnabled || isLoopback(host);
    }

    static boolean isLoopback(String hostHeader) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return h.startsWith("[::1]");
        }
        int colon = h.indexOf(':');
        String name = colon < 0 ? h : h.substring(0, colon);
        return name.equals("localhost") || name.matches("127(\\.\\d{1,3}){3}");
    }

    /** {@code thinkloop.mcp.server.allowed-origins} adds origins for {@code /mcp/ws} (exactly that path) only. */
    private boolean originAllowed(String origin, boolean mcpEndpoint) {
        List<String> allowed = new ArrayList<>(allowedOrigins.orElse(List.of()));
        if (mcpEndpoint) {
            allowed.addAll(mcpAllowedOrigins.orElse(List.of()));
        }
        return allowed.contains("*") || allowed.stream().anyMatch(a -> a.trim().equalsIgnoreCase(origin));
    }

    /**
     * Whether any credential the request carries is a key: {@code Authorization: Bearer} headers, {@code token}
     * query parameters and, on a WebSocket upgrade, {@code bearer.KEY} subprotocol offers (what the MCP
     * clients of {@code /mcp/ws} send). Looking at every carrier lets a client send the API key in one and the
     * separate MCP token in another. At most {@value #MAX_CREDENTIALS} are tried per request.
     */
    private boolean anyKeyMatches(HttpServerRequest request) {
        List<String> presented = new ArrayList<>();
        for (String auth : request.headers().getAll(HttpHeaders.AUTHORIZATION)) {
            if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                presented.add(auth.substring(7).trim());
            }
        }
        try {
            presented.addAll(request.params().getAll("token"));
        } catch (IllegalArgumentException badQuery) {
            // a malformed query carries no usable key
        }
        if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            for (String offers : request.headers().getAll("Sec-WebSocket-Protocol")) {
                for (String offer : offers.split(",")) {
                    String p = offer.trim();
                    if (p.startsWith(WebSocketAccessPolicy.SUBPROTOCOL_TOKEN_PREFIX)) {
                        presented.add(p.substring(WebSocketAccessPolicy.SUBPROTOCOL_TOKEN_PREFIX.length()));
                    }
                }
            }
        }
        boolean ok = false;
        for (String p : presented.subList(0, Math.min(MAX_CREDENTIALS, presented.size()))) {
            ok |= keyMatches(p);
        }
        return ok;
    }

    boolean keyMatches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) {
            ok |= MessageDigest.isEqual(k, p); // constant time per key, and every key is checked
        }
        return ok;
    }

    private static void deny(RoutingContext rc, int status, ErrorCode code, String message) {
        String body = OpenAiRoutes.PATHS.contains(rc.normalizedPath())
                // OpenAI clients read {"error": {...}}: the OpenAI endpoints answer in that envelope, 401 included
                ? new OpenAiError(
                                status,
                                "invalid_request_error",
                                null,
                                status == 401 ? "invalid_api_key" : code.wireName(),
                                message)
                        .toJson()
                        .toString()
                : Json.MAPPER
                        .createObjectNode()
                        .put("code", code.wireName())
                        .put("message", message)
                        .put("retryable", code.retryable())
                        .toString();
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
