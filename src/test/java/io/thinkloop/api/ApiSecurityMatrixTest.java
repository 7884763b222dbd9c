package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.runtime.RuntimeTestProfile;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Deny by default, black box: every route of the service (REST, Server-Sent Events, both WebSocket upgrades,
 * the OpenAI-compatible routes, bench, engine, tools, MCP servers, {@code /mcp/ws}, metrics, OpenAPI, an
 * unknown path) in every spelling a router might dispatch the same way (matrix parameters on any segment,
 * {@code ;} encoded, {@code //}, {@code /./}, {@code /x/../}, encoded letters, trailing slash, other case) is
 * answered 401 without the key and something else with it; 403 with a foreign Origin. Requests go out over
 * a plain socket exactly as written. The public allow-list (console files, health) is open only when spelled
 * exactly, and never a way into a protected route.
 */
@QuarkusTest
@TestProfile(RuntimeTestProfile.class)
class ApiSecurityMatrixTest {
    private static final String KEY = "Bearer " + RuntimeTestProfile.KEY;

    @TestHTTPResource("/")
    URL root;

    /** One route: method, path, body, WebSocket subprotocol (null: plain HTTP, "" : upgrade without one). */
    record Route(String method, String path, String body, String upgrade, String query) {
        static Route http(String method, String path, String body) {
            return new Route(method, path, body, null, "");
        }
    }

    static final List<Route> ROUTES = List.of(
            Route.http("GET", "/v1/sessions", null),
            Route.http("POST", "/v1/sessions", "{}"),
            Route.http("GET", "/v1/sessions/matrix-s1", null),
            Route.http("DELETE", "/v1/sessions/matrix-s2", null),
            Route.http("GET", "/v1/sessions/matrix-s1/transcript", null),
            Route.http("POST", "/v1/sessions/matrix-s1/messages", "{}"),
            Route.http("POST", "/v1/sessions/matrix-s1/cancel", null),
            Route.http("POST", "/v1/sessions/matrix-s1/approvals/call-1", "{}"),
            Route.http("GET", "/v1/sessions/matrix-s1/events", null),
            new Route("GET", "/v1/sessions/matrix-s1/ws", null, "", ""),
            Route.http("GET", "/v1/models", null),
            Route.http("POST", "/v1/chat/completions", "{}"),
            Route.http("POST", "/v1/bench/runs", "{}"),
            Route.http("GET", "/v1/bench/runs/nope", null),
            Route.http("GET", "/v1/engine", null),
            Route.http("GET", "/v1/tools", null),
            Route.http("GET", "/v1/mcp/servers", null),
            // the MCP token goes along in both cases: only the API key differs
            new Route("GET", "/mcp/ws", null, "mcp", "?token=" + RuntimeTestProfile.MCP_TOKEN),
            Route.http("GET", "/q/metrics", null),
            Route.http("GET", "/q/openapi", null),
            Route.http("GET", "/no/such/route", null));

    /** Every spelling of {@code path} that some layer could dispatch like {@code path}. */
    static Set<String> variants(String path) {
        List<String> segs = List.of(path.substring(1).split("/"));
        Set<String> out = new LinkedHashSet<>();
        out.add(path);
        out.add(path + "/");
        out.add(path + ";");
        out.add(path.toUpperCase(Locale.ROOT));
        out.add("/" + Character.toUpperCase(path.charAt(1)) + path.substring(2));
        out.add(path.replace("/", "//"));
        out.add("/" + path);
        for (int i = 0; i < segs.size(); i++) {
            out.add(join(segs, i, segs.get(i) + ";"));
            out.add(join(segs, i, segs.get(i) + ";x=1"));
            out.add(join(segs, i, segs.get(i) + "%3B"));
            out.add(join(segs, i, segs.get(i) + "%3bx"));
            out.add(join(
                    segs,
                    i,
                    "%" + String.format("%02X", (int) segs.get(i).charAt(0))
                            + segs.get(i).substring(1)));
            out.add(join(segs, i, "./" + segs.get(i)));
            out.add(join(segs, i, "zz/../" + segs.get(i)));
            out.add(join(segs, i, "%2E/" + segs.get(i)));
            out.add(join(segs, i, "/" + segs.get(i)));
        }
        out.add(path.replaceFirst("/([^/]+)$", "%2F$1"));
        return out;
    }

    private static String join(List<String> segs, int at, String replacement) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < segs.size(); i++) {
            b.append('/').append(i == at ? replacement : segs.get(i));
        }
        return b.toString();
    }

    private RawHttp.Head send(Route r, String path, Map<String, String> extra) throws Exception {
        Map<String, String> headers = new HashMap<>(extra);
        if (r.upgrade() != null) {
            headers.putAll(RawHttp.upgrade(r.upgrade().isEmpty() ? null : r.upgrade()));
        }
        return RawHttp.send(root.getPort(), r.method(), path + r.query(), headers, r.body());
    }

    @Test
    void everyRouteInEverySpellingNeedsTheKey() throws Exception {
        List<String> wrong = new ArrayList<>();
        int tried = 0;
        for (Route r : ROUTES) {
            for (String path : variants(r.path())) {
                tried++;
                RawHttp.Head without = send(r, path, Map.of());
                if (without.status() != 401) {
                    wrong.add(r.method() + " " + path + " without a key -> " + without.status());
                }
                RawHttp.Head wrongKey = send(r, path, Map.of("Authorization", "Bearer not-the-key"));
                if (wrongKey.status() != 401) {
                    wrong.add(r.method() + " " + path + " with a wrong key -> " + wrongKey.status());
                }
                RawHttp.Head with = send(r, path, Map.of("Authorization", KEY));
                if (with.status() == 401) {
                    wrong.add(r.method() + " " + path + " with the key -> 401");
                }
            }
        }
        System.out.printf(
                "deny-by-default matrix: %d routes, %d spellings, %d requests, %d wrong%n",
                ROUTES.size(), tried, tried * 3, wrong.size());
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + tried + " spellings answered wrongly:\n" + String.join("\n", wrong));
        }
    }

    @Test
    void aSemicolonInThePathStillNeedsTheKey() throws Exception {
        // the finding of issue #12, spelled out
        assertEquals(
                401,
                RawHttp.send(root.getPort(), "GET", "/v1;/sessions", Map.of(), null)
                        .status());
        assertEquals(
                401,
                RawHttp.send(root.getPort(), "GET", "/v1%3B/sessions", Map.of(), null)
                        .status());
        assertEquals(
                200,
                RawHttp.send(root.getPort(), "GET", "/v1;/sessions", Map.of("Authorization", KEY), null)
                        .status());
    }

    @Test
    void aForeignOriginIsRefusedOnEveryRouteInEverySpelling() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Route r : ROUTES) {
            for (String path : variants(r.path())) {
                RawHttp.Head h = send(r, path, Map.of("Authorization", KEY, "Origin", "http://evil.example"));
                if (h.status() != 403) {
                    wrong.add(r.method() + " " + path + " from http://evil.example -> " + h.status());
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void theAllowListIsOpenOnlyWhenSpelledExactly() throws Exception {
        int port = root.getPort();
        for (String open : List.of(
                "/",
                "/index.html",
                "/console/app.js",
                "/console/console.css",
                "/q/health",
                "/q/health/live",
                "/q/health/ready")) {
            assertEquals(200, RawHttp.send(port, "GET", open, Map.of(), null).status(), open);
        }
        // a public prefix is no way into a protected route, however it is spelled
        for (String sneaky : List.of(
                "/console/../v1/sessions",
                "/console/%2E%2E/v1/sessions",
                "/console/..%2Fv1/sessions",
                "/q/health/../../v1/sessions",
                "/q/health%2F..%2F..%2Fv1%2Fsessions",
                "/q/health/;/../../v1/sessions",
                "/q/health;/../v1/sessions",
                "/./v1/sessions",
                "/q/healthz",
                "/q/health-x",
                "/console",
                "/q/metrics",
                "/Q/HEALTH",
                "/q/health;x",
                "//q/health")) {
            assertEquals(401, RawHttp.send(port, "GET", sneaky, Map.of(), null).status(), sneaky);
        }
        // the absolute form of a request target names the same routes
        for (String absolute : List.of(
                "http://127.0.0.1:" + port + "/v1/sessions",
                "http://127.0.0.1:" + port + "/v1;/sessions",
                "http://127.0.0.1:" + port + "/q/health/../../v1/sessions")) {
            assertEquals(
                    401, RawHttp.send(port, "GET", absolute, Map.of(), null).status(), absolute);
        }
    }

    @Test
    void theMcpEndpointWantsTheKeyAndItsOwnTokenOnTop() throws Exception {
        int port = root.getPort();
        Map<String, String> ws = RawHttp.upgrade("mcp");
        String token = "?token=" + RuntimeTestProfile.MCP_TOKEN;
        assertEquals(401, RawHttp.send(port, "GET", "/mcp/ws" + token, ws, null).status(), "MCP token alone");
        Map<String, String> keyOnly = new HashMap<>(ws);
        keyOnly.put("Authorization", KEY);
        assertEquals(
                401, RawHttp.send(port, "GET", "/mcp/ws", keyOnly, null).status(), "key alone: the MCP token is set");
        assertEquals(
                101, RawHttp.send(port, "GET", "/mcp/ws" + token, keyOnly, null).status(), "key and token");
        // both as query parameters (what a browser can send), or the key as a bearer.KEY subprotocol
        assertEquals(
                101,
                RawHttp.send(
                                port,
                                "GET",
                                "/mcp/ws?token=" + RuntimeTestProfile.KEY + "&token=" + RuntimeTestProfile.MCP_TOKEN,
                                ws,
                                null)
                        .status());
        Map<String, String> subprotocol = new HashMap<>(ws);
        subprotocol.put("Sec-WebSocket-Protocol", "mcp, bearer." + RuntimeTestProfile.KEY);
        assertEquals(
                101,
                RawHttp.send(port, "GET", "/mcp/ws" + token, subprotocol, null).status());
    }

    @Test
    void theMcpEndpointKeepsTheSessionSocketsOriginRule() throws Exception {
        int port = root.getPort();
        Map<String, String> ws = new HashMap<>(RawHttp.upgrade("mcp"));
        ws.put("Authorization", KEY);
        String target = "/mcp/ws?token=" + RuntimeTestProfile.MCP_TOKEN;
        for (String origin : List.of("http://evil.example", "http://localhost:9", "http://127.0.0.1:1234", "null")) {
            Map<String, String> h = new HashMap<>(ws);
            h.put("Origin", origin);
            assertEquals(403, RawHttp.send(port, "GET", target, h, null).status(), origin);
        }
        Map<String, String> allowed = new HashMap<>(ws);
        allowed.put("Origin", RuntimeTestProfile.ALLOWED_ORIGIN);
        assertEquals(101, RawHttp.send(port, "GET", target, allowed, null).status());
        Map<String, String> same = new HashMap<>(ws);
        same.put("Origin", "http://127.0.0.1:" + port);
        assertEquals(
                101, RawHttp.send(port, "GET", target, same, null).status(), "the service's own origin (the console)");
    }
}
