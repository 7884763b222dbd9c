package io.thinkloop.api;

import io.thinkloop.json.Json;
import java.util.Locale;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Guards the API ({@code /v1/*}, REST and WebSocket upgrades alike) before any handler runs.
 *
 * <ul>
 * <li>API keys: {@code Authorization: Bearer KEY}, or {@code ?token=KEY} where a client cannot set
 * headers (browser WebSockets, EventSource). Keys come from {@code thinkloop.api-key} (environment
 * {@code THINKLOOP_API_KEY}) and {@code thinkloop.security.api-keys}. Required unless
 * {@code thinkloop.security.auth-enabled=false} (the default only in dev and test mode).</li>
 * <li>No key configured in prod: like Jupyter, the service generates one, stores it in
 * {@code DATA_DIR/api-key} (mode 600, reused on restart) and logs where it is — an open agent that runs
 * tools must never be reachable without a key, and refusing to start would punish a first run.</li>
 * <li>Origin allow-list ({@code thinkloop.security.allowed-origins}, comma-separated, {@code *} for
 * any): a request with an {@code Origin} header not on the list is refused (403), so a web page the
 * user visits cannot drive the agent. Requests without {@code Origin} (non-browser clients) pass.</li>
 * </ul>
 */
@ApplicationScoped
public class ApiSecurity {
    private static final Logger LOG = Logger.getLogger(ApiSecurity.class);

    @ConfigProperty(name = "thinkloop.security.auth-enabled", defaultValue = "true")
    boolean authEnabled;
    @ConfigProperty(name = "thinkloop.api-key")
    Optional<String> apiKey;
    @ConfigProperty(name = "thinkloop.security.api-keys")
    Optional<List<String>> moreKeys;
    @ConfigProperty(name = "thinkloop.security.allowed-origins")
    Optional<List<String>> allowedOrigins;
    @ConfigProperty(name = "thinkloop.data-dir")
    Path dataDir;

    private volatile List<byte[]> keys = List.of();

    void onStart(@Observes StartupEvent ev) {
        List<byte[]> all = new ArrayList<>();
        apiKey.filter(k -> !k.isBlank()).ifPresent(k -> all.add(k.trim().getBytes(StandardCharsets.UTF_8)));
        moreKeys.ifPresent(ks -> ks.stream().filter(k -> !k.isBlank()).forEach(k -> all.add(k.trim().getBytes(StandardCharsets.UTF_8))));
        if (authEnabled && all.isEmpty()) {
            all.add(generatedKey().getBytes(StandardCharsets.UTF_8));
        }
        keys = List.copyOf(all);
        if (!authEnabled) {
            LOG.warn("API authentication is disabled (thinkloop.security.auth-enabled=false)"
                    + (LaunchMode.current() == LaunchMode.NORMAL ? ": anyone who reaches this port can run the agent" : ""));
        }
    }

    private String generatedKey() {
        Path file = dataDir.resolve("api-key");
        try {
            if (Files.exists(file)) {
                String k = Files.readString(file).trim();
                if (!k.isEmpty()) {
                    LOG.infof("no API key configured: using the generated key stored in %s", file);
                    return k;
                }
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String k = "tl_" + HexFormat.of().formatHex(random);
            Files.createDirectories(dataDir);
            Files.writeString(file, k + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            LOG.infof("no API key configured (THINKLOOP_API_KEY): generated one and stored it in %s: %s", file, k);
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the generated API key in " + file, e);
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, 100);
    }

    private void check(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.startsWith("/v1/")) {
            rc.next();
            return;
        }
        String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !sameOrigin(rc, origin) && !originAllowed(origin)) {
            deny(rc, 403, "origin_not_allowed", "origin " + origin + " is not in thinkloop.security.allowed-origins");
            return;
        }
        if (authEnabled && !keyMatches(presentedKey(rc))) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            deny(rc, 401, "unauthorized", "send an API key: Authorization: Bearer KEY, or ?token=KEY");
            return;
        }
        rc.next();
    }

    /**
     * The same guard as {@code /v1/*} for an endpoint outside it (the MCP endpoint {@code /mcp}): true when
     * the request may pass; otherwise it has been answered (403 for a foreign Origin, 401 without a key).
     */
    public boolean admit(RoutingContext rc) {
        String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !sameOrigin(rc, origin) && !originAllowed(origin)) {
            deny(rc, 403, "origin_not_allowed", "origin " + origin + " is not in thinkloop.security.allowed-origins");
            return false;
        }
        if (authEnabled && !keyMatches(presentedKey(rc))) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            deny(rc, 401, "unauthorized", "send an API key: Authorization: Bearer KEY, or ?token=KEY");
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

    private boolean originAllowed(String origin) {
        List<String> allowed = allowedOrigins.orElse(List.of());
        return allowed.contains("*") || allowed.stream().anyMatch(a -> a.trim().equalsIgnoreCase(origin));
    }

    private static String presentedKey(RoutingContext rc) {
        String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return rc.request().getParam("token");
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

    private static void deny(RoutingContext rc, int status, String code, String message) {
        String body = Json.MAPPER.createObjectNode()
                .put("code", code).put("message", message).put("retryable", false).toString();
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}
