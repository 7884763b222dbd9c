package io.thinkloop.mcp.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may open the MCP WebSocket. A token (when set) may come as the {@code token} query parameter, a
 * {@code bearer.TOKEN} subprotocol offer or an {@code Authorization: Bearer} header: browsers and the
 * TypeScript SDK cannot set headers. Requests with an Origin header (browsers) must come from an
 * allowed origin; by default only loopback pages, which stops other web pages from driving local tools.
 */
public record WebSocketAccessPolicy(String token, List<String> allowedOrigins, boolean loopbackHostOnly) {
    public static final String SUBPROTOCOL_TOKEN_PREFIX = "bearer.";
    public static final WebSocketAccessPolicy OPEN = new WebSocketAccessPolicy(null, List.of(), false);

    public WebSocketAccessPolicy(String token, List<String> allowedOrigins) {
        this(token, allowedOrigins, false);
    }

    /** For a server bound to loopback: also refuse a non-loopback {@code Host} (DNS rebinding). */
    public WebSocketAccessPolicy withLoopbackHostOnly() {
        return new WebSocketAccessPolicy(token, allowedOrigins, true);
    }

    public Verdict check(String origin, String host, String queryToken, String authorization, String subprotocols) {
        if (loopbackHostOnly && host != null && !isLoopback(hostOf("http://" + host))) {
            return new Verdict.Deny(403, "host not allowed: " + host);
        }
        return check(origin, queryToken, authorization, subprotocols);
    }

    public sealed interface Verdict {
        record Allow() implements Verdict {}

        record Deny(int httpStatus, String reason) implements Verdict {}
    }

    public Verdict check(String origin, String queryToken, String authorization, String subprotocols) {
        if (origin != null && !originAllowed(origin)) {
            return new Verdict.Deny(403, "origin not allowed: " + origin);
        }
        if (token == null || token.isEmpty()) {
            return new Verdict.Allow();
        }
        if (matches(queryToken)) {
            return new Verdict.Allow();
        }
        if (authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(authorization.substring(7).trim())) {
            return new Verdict.Allow();
        }
        if (subprotocols != null) {
            for (String p : subprotocols.split(",")) {
                String s = p.trim();
                if (s.startsWith(SUBPROTOCOL_TOKEN_PREFIX) && matches(s.substring(SUBPROTOCOL_TOKEN_PREFIX.length()))) {
                    return new Verdict.Allow();
                }
            }
        }
        return new Verdict.Deny(401, "missing or wrong token");
    }

    private boolean matches(String candidate) {
        return candidate != null
                && MessageDigest.isEqual(
                        candidate.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    boolean originAllowed(String origin) {
        if (allowedOrigins.contains("*") || allowedOrigins.contains(origin)) {
            return true;
        }
        return isLoopback(hostOf(origin));
    }

    private static String hostOf(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isLoopback(String host) {
        return host != null
                && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
    }
}
