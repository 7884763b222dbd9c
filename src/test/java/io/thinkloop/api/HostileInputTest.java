package io.thinkloop.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.thinkloop.json.Json;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.thinkloop.testkit.Await;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The small findings of issue #12, tried as a hostile client would, over real sockets against the running
 * service (auth on, a 2 s idle timeout): WebSocket frames the guard must refuse, oversized and malformed
 * request bodies, paths and methods no route serves, security headers, metric labels, half-open requests
 * and SSE clients that vanish. {@link #tried} counts every hostile input sent; each is asserted handled.
 */
@QuarkusTest
@TestProfile(HostileInputTest.Profile.class)
class HostileInputTest {
    static final String KEY = "hostile-input-test-key";
    static final int MAX_CHARS = 65536;
    static final int MAX_BYTES = 3 * MAX_CHARS;
    static int tried;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path data;
            try {
                Files.createDirectories(Path.of("target"));
                data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "hostile-test-data-");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "thinkloop.security.auth-enabled", "true",
                    "thinkloop.api-key", KEY,
                    "thinkloop.data-dir", data.toString(),
                    "quarkus.http.idle-timeout", "2s",
                    "quarkus.websockets-next.server.auto-ping-interval", "500ms",
                    "thinkloop.sse.heartbeat", "500ms");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    SessionManager sessions;

    static final List<LogRecord> errors = new CopyOnWriteArrayList<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue() && isLoggable(r)) { // isLoggable applies the filter
                errors.add(r);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeAll
    static void captureErrors() {
        capture.setFilter(new QuietDisconnects()); // what the console handler is configured to show
        LogManager.getLogManager().getLogger("").addHandler(capture);
        Logger.getLogger(HostileInputTest.class).error("capture self-check");
        assertTrue(
                errors.stream().anyMatch(r -> "capture self-check".equals(r.getMessage())),
                "ERROR records are captured");
        errors.clear();
    }

    @AfterAll
    static void report() {
        LogManager.getLogManager().getLogger("").removeHandler(capture);
        System.out.println("HostileInputTest: " + tried + " hostile inputs tried, all handled");
    }

    private int port() {
        return root.getPort();
    }

    private static String auth() {
        return "Authorization: Bearer " + KEY;
    }

    private String newSession() {
        String id = "h-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + KEY)
                .contentType("application/json")
                .body("{\"id\":\"" + id + "\"}")
                .post("/v1/sessions")
                .then()
                .statusCode(201);
        return id;
    }

    private RawWebSocket sessionSocket() throws IOException {
        RawWebSocket ws = RawWebSocket.connect(port(), "/v1/sessions/" + newSession() + "/ws?lastSeq=0", auth());
        assertNotNull(ws.awaitText("session.created"), "the new session's first event");
        return ws;
    }

    /** A hostile frame sequence on a fresh session socket must end in the given close code. */
    private void assertClosedWith(int code, FrameScript script) throws IOException {
        assertClosedWith(code, script, "");
    }

    private void assertClosedWith(int code, FrameScript script, String what) throws IOException {
        tried++;
        try (RawWebSocket ws = sessionSocket()) {
            script.send(ws);
            assertEquals(code, ws.awaitClose(), what);
        }
    }

    interface FrameScript {
        void send(RawWebSocket ws) throws IOException;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    // ---- WebSocket frames ----

    @Test
    void invalidUtf8InATextMessageClosesWith1007() throws IOException {
        byte[] prefix = "{\"type\":\"cancel\",\"x\":\"".getBytes(StandardCharsets.UTF_8);
        int[][] invalid = {
            {0xC3, 0x28}, // a two-byte lead followed by ASCII
            {0xC0, 0xAF}, // overlong '/'
            {0xE0, 0x80, 0xAF}, // overlong, three bytes
            {0xED, 0xA0, 0x80}, // a UTF-16 surrogate
            {0xF4, 0x90, 0x80, 0x80}, // above U+10FFFF
            {0xF8, 0x88, 0x80, 0x80}, // five-byte form
            {0xFF}, // never in UTF-8
            {0x80}, // a lone continuation byte
        };
        for (int[] seq : invalid) {
            byte[] payload = concat(concat(prefix, bytes(seq)), "\"}".getBytes(StandardCharsets.UTF_8));
            assertClosedWith(1007, ws -> ws.frame(RawWebSocket.TEXT, true, 0, payload));
        }
        // a message that ends inside a character
        assertClosedWith(1007, ws -> ws.frame(RawWebSocket.TEXT, true, 0, concat(prefix, bytes(0xE2, 0x82))));
        // invalid only across a fragment boundary: the lead in one frame, a bad continuation in the next
        assertClosedWith(1007, ws -> {
            ws.frame(RawWebSocket.TEXT, false, 0, concat(prefix, bytes(0xE2)));
            ws.frame(RawWebSocket.CONTINUATION, true, 0, bytes(0x28, 0x22, 0x7D));
        });
    }

    @Test
    void aCharacterSplitAcrossFragmentsIsStillAccepted() throws IOException {
        try (RawWebSocket ws = sessionSocket()) {
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
            ws.frame(
                    RawWebSocket.TEXT,
                    false,
                    0,
                    concat("{\"type\":\"cancel\",\"x\":\"".getBytes(StandardCharsets.UTF_8), bytes(euro[0])));
            ws.frame(RawWebSocket.CONTINUATION, false, 0, bytes(euro[1]));
            ws.frame(
                    RawWebSocket.CONTINUATION, true, 0, concat(bytes(euro[2]), "\"}".getBytes(StandardCharsets.UTF_8)));
            assertNotNull(ws.awaitText("no_active_turn"), "the reassembled message was handled");
        }
    }

    @Test
    void reservedBitsWithoutAnExtensionCloseWith1002() throws IOException {
        for (int rsv : new int[] {4, 2, 1, 7}) {
            assertClosedWith(
                    1002,
                    ws -> ws.frame(
                            RawWebSocket.TEXT, true, rsv, "{\"type\":\"cancel\"}".getBytes(StandardCharsets.UTF_8)),
                    "rsv " + rsv);
        }
        assertClosedWith(1002, ws -> ws.frame(3, true, 0, bytes(1, 2, 3)), "reserved opcode");
        assertClosedWith(
                1002, ws -> ws.frame(RawWebSocket.CONTINUATION, true, 0, bytes(0x41)), "continuation of nothing");
    }

    @Test
    void messagesAboveTheSessionLimitAreRefusedBeforeReassembly() throws IOException {
        // fragments of 64 KiB: the socket closes once the message passes 3 bytes per allowed character,
        // long before the 12 MiB the server-wide limit would once have reassembled
        assertClosedWith(
                1009,
                ws -> {
                    byte[] chunk = new byte[65536];
                    Arrays.fill(chunk, (byte) 'a');
                    int sent = 0;
                    ws.frame(RawWebSocket.TEXT, false, 0, chunk);
                    sent += chunk.length;
                    while (sent <= MAX_BYTES) {
                        ws.frame(RawWebSocket.CONTINUATION, false, 0, chunk);
                        sent += chunk.length;
                    }
                },
                "fragments");
        // one frame that announces more than that (the server does not wait for its payload)
        assertClosedWith(1009, ws -> ws.announce(RawWebSocket.TEXT, MAX_BYTES + 1L), "frame of limit + 1");
        assertClosedWith(1009, ws -> ws.announce(RawWebSocket.TEXT, 12L * 1024 * 1024), "frame of 12 MiB");
        assertClosedWith(1009, ws -> ws.announce(RawWebSocket.BINARY, Long.MAX_VALUE), "frame of 2^63 - 1");
    }

    @Test
    void aMessageOverTheCharacterLimitButWithinItsBytesGetsAnErrorAndTheSocketStaysOpen() throws IOException {
        tried++;
        try (RawWebSocket ws = sessionSocket()) {
            ws.text("{\"type\":\"user_message\",\"content\":\"" + "b".repeat(MAX_CHARS) + "\"}");
            assertNotNull(ws.awaitText("message_too_large"));
            ws.text("{\"type\":\"cancel\"}");
            assertNotNull(ws.awaitText("no_active_turn"), "still usable");
        }
    }

    @Test
    void theMcpEndpointChecksUtf8Too() throws IOException {
        tried++;
        try (RawWebSocket ws = RawWebSocket.connect(port(), "/mcp/ws", auth(), "Sec-WebSocket-Protocol: mcp")) {
            ws.frame(
                    RawWebSocket.TEXT,
                    true,
                    0,
                    concat(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\""
                                    .getBytes(StandardCharsets.UTF_8),
                            bytes(0xC3, 0x28, 0x22, 0x7D)));
            assertEquals(1007, ws.awaitClose());
        }
    }

    // ---- request bodies ----

    private static void assertErrorShape(Response r, int status, String code) {
        assertEquals(status, r.statusCode(), r.asString());
        assertTrue(
                r.contentType().startsWith("application/json"),
                "content type " + r.contentType() + ": " + r.asString());
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(r.asString());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.asString(), e);
        }
        assertTrue(
                body.path("code").isTextual()
                        && body.path("message").isTextual()
                        && body.path("retryable").isBoolean(),
                "shape {code, message, retryable}: " + body);
        if (code != null) {
            assertEquals(code, body.path("code").asText(), body.toString());
        }
    }

    @Test
    void restUserMessagesHaveTheSocketsLimit() {
        String id = newSession();
        tried++;
        Response tooManyBytes = given().header("Authorization", "Bearer " + KEY)
                .contentType("application/json")
                .body("{\"content\":\"" + "c".repeat(MAX_BYTES) + "\"}")
                .post("/v1/sessions/" + id + "/messages");
        assertErrorShape(tooManyBytes, 413, "payload_too_large");
        tried++;
        Response tooManyChars = given().header("Authorization", "Bearer " + KEY)
                .contentType("application/json")
                .body("{\"content\":\"" + "c".repeat(MAX_CHARS + 1) + "\"}")
                .post("/v1/sessions/" + id + "/messages");
        assertErrorShape(tooManyChars, 413, "message_too_large");
        given().header("Authorization", "Bearer " + KEY)
                .contentType("application/json")
                .body("{\"content\":\"" + "c".repeat(MAX_CHARS) + "\"}")
                .post("/v1/sessions/" + id + "/messages")
                .then()
                .statusCode(202);
    }

    @Test
    void anAnnouncedHugeBodyIsRefusedBeforeItIsSent() throws IOException {
        for (String path : List.of("/v1/sessions/" + newSession() + "/messages", "/v1/sessions")) {
            tried++;
            String response = rawExchange("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + auth()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{");
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("\"code\":\"payload_too_large\""), response);
        }
    }

    /** Sends raw bytes, reads until the server closes the connection (or 30 s pass). */
    private String rawExchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n = s.getInputStream().read(buf);
                        n >= 0;
                        n = s.getInputStream().read(buf)) {
                    got.write(buf, 0, n);
                }
            } catch (SocketException reset) {
                // the server closed with unread bytes in its buffer: what arrived before counts
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    // ---- every error in the JSON shape ----

    @Test
    void everyErrorUnderV1IsTheDocumentedJsonShape() {
        String id = newSession();
        record Case(String method, String path, String contentType, String body, int status) {}
        List<Case> cases = List.of(
                new Case("POST", "/v1/sessions", "application/json", "{", 400),
                new Case("POST", "/v1/sessions", "application/json", "[1,2]", 400),
                new Case("POST", "/v1/sessions", "application/json", "{\"id\": {\"nested\": true}}", 400),
                new Case("POST", "/v1/sessions", "application/json", "\"just a string\"", 400),
                new Case("POST", "/v1/sessions", "text/plain", "hello", 415),
                new Case("POST", "/v1/sessions/" + id + "/messages", "application/json", "{\"content\": [", 400),
                new Case(
                        "POST",
                        "/v1/sessions/" + id + "/approvals/call-1",
                        "application/json",
                        "{\"approved\": \"maybe\"}",
                        400),
                new Case("PUT", "/v1/sessions", "application/json", "{}", 405),
                new Case("PATCH", "/v1/sessions/" + id, "application/json", "{}", 405),
                new Case("GET", "/v1/no-such-thing", null, null, 404),
                new Case("GET", "/v1/sessions/" + id + "/no-such-view", null, null, 404),
                new Case("GET", "/v1/sessions/no-such-session/events", null, null, 404),
                new Case("GET", "/v1/sessions/no-such-session", null, null, 404),
                new Case("DELETE", "/v1/tools", null, null, 405));
        for (Case c : cases) {
            tried++;
            var spec = given().header("Authorization", "Bearer " + KEY).accept("*/*");
            if (c.contentType() != null) {
                spec = spec.contentType(c.contentType()).body(c.body());
            }
            Response r = spec.request(c.method(), c.path());
            assertErrorShape(r, c.status(), null);
        }
    }

    // ---- headers ----

    @Test
    void theConsoleIsServedWithSecurityHeaders() {
        for (String path : List.of("/", "/console/app.js", "/console/console.css", "/v1/sessions")) {
            Response r = given().get(path); // /v1/sessions without a key: the refusal carries them too
            String csp = r.header("Content-Security-Policy");
            assertNotNull(csp, path);
            assertTrue(
                    csp.contains("frame-ancestors 'none'")
                            && csp.contains("script-src 'self'")
                            && !csp.contains("unsafe-inline")
                            && !csp.contains("unsafe-eval"),
                    csp);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertEquals("no-referrer", r.header("Referrer-Policy"), path);
        }
        String page = given().get("/").asString();
        assertFalse(Pattern.compile("<script>").matcher(page).find(), "no inline script the policy would block");
    }

    // ---- metrics ----

    @Test
    void refusedRandomPathsDoNotMintMetricLabels() {
        Set<String> minted = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            String r = "zz" + UUID.randomUUID().toString().replace("-", "");
            minted.add(r);
            tried += 3;
            given().get("/v1/" + r).then().statusCode(401);
            given().get("/v1/sessions/" + r + "/transcript").then().statusCode(401);
            given().get("/console/app.js;" + r);
        }
        String metrics = given().header("Authorization", "Bearer " + KEY)
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile("uri=\"([^\"]*)\"").matcher(metrics);
        Set<String> uris = new HashSet<>();
        while (m.find()) {
            uris.add(m.group(1));
        }
        for (String u : uris) {
            for (String r : minted) {
                assertFalse(u.contains(r), "label for a raw path: " + u);
            }
        }
        assertTrue(uris.contains(HttpHardening.UNROUTED), "refusals share one label: " + uris);
    }

    // ---- half-open requests ----

    @Test
    void halfOpenRequestsAreClosedByTheIdleTimeout() throws IOException {
        List<String> partial = List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n", // headers never finished
                "GET /v1/sessions HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\nX-Slow: 1", // mid-header
                "POST /v1/sessions HTTP/1.1\r\nHost: x\r\n" + auth()
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":", // body never
                // finished
                ""); // connects, sends nothing
        for (String p : partial) {
            tried++;
            try (Socket s = new Socket("127.0.0.1", port())) {
                s.setSoTimeout(30_000); // far beyond the 2 s idle timeout: a hang fails the test
                OutputStream out = s.getOutputStream();
                out.write(p.getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // a 408/400 before the close is fine; the connection must end
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a half-open request was still open after 30 s: " + p, e);
                } catch (SocketException reset) {
                    // closed
                }
            }
        }
    }

    // ---- SSE ----

    @Test
    void aVanishingSseClientLogsNoError() throws IOException {
        String id = newSession();
        Session session = sessions.find(id).orElseThrow();
        int before = errors.size();
        for (boolean reset : new boolean[] {false, true}) {
            tried++;
            Socket s = new Socket("127.0.0.1", port());
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET /v1/sessions/" + id + "/events?lastSeq=0 HTTP/1.1\r\nHost: x\r\n" + auth()
                                    + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            byte[] buf = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (!got.toString().contains("session.created")) {
                int n = s.getInputStream().read(buf);
                assertTrue(n > 0, "SSE stream: " + got);
                got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            awaitTrue(() -> session.subscriberCount() == 1, "subscribed");
            if (reset) {
                s.setSoLinger(true, 0); // RST instead of FIN
            }
            s.close();
            // events for the vanished client: the turn starts and ends (no backend is configured)
            given().header("Authorization", "Bearer " + KEY)
                    .contentType("application/json")
                    .body("{\"content\":\"hi\"}")
                    .post("/v1/sessions/" + id + "/messages")
                    .then()
                    .statusCode(202);
            awaitTrue(
                    () -> session.subscriberCount() == 0 && session.activeTurn() == null,
                    "the server noticed the disconnect");
        }
        // clients that reset the connection in the middle of a replay of many events
        for (int i = 0; i < 15; i++) {
            given().header("Authorization", "Bearer " + KEY)
                    .contentType("application/json")
                    .body("{\"content\":\"turn " + i + "\"}")
                    .post("/v1/sessions/" + id + "/messages")
                    .then()
                    .statusCode(202);
            awaitTrue(() -> session.activeTurn() == null, "turn " + i + " ended");
        }
        for (int i = 0; i < 5; i++) {
            tried++;
            try (Socket s = new Socket("127.0.0.1", port())) {
                s.setSoTimeout(30_000);
                s.setReceiveBufferSize(1024);
                s.getOutputStream()
                        .write(("GET /v1/sessions/" + id + "/events?lastSeq=0 HTTP/1.1\r\nHost: x\r\n" + auth()
                                        + "\r\nAccept: text/event-stream\r\n\r\n")
                                .getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                assertTrue(s.getInputStream().read(new byte[64]) > 0);
                s.setSoLinger(true, 0);
            }
        }
        awaitTrue(() -> session.subscriberCount() == 0, "every vanished client unsubscribed");
        List<LogRecord> logged = new ArrayList<>(errors.subList(before, errors.size()));
        assertTrue(
                logged.isEmpty(),
                () -> "errors logged: "
                        + logged.stream()
                                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown())
                                .toList());
    }

    @Test
    void aQuietSseStreamOutlivesTheIdleTimeoutOnHeartbeats() throws IOException {
        String id = newSession();
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET /v1/sessions/" + id + "/events HTTP/1.1\r\nHost: x\r\n" + auth()
                                    + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            long start = System.nanoTime();
            int beats = 0;
            byte[] buf = new byte[4096];
            // no events come (no lastSeq): only heartbeats, for more than twice the 2 s idle timeout
            while (System.nanoTime() - start < 5_000_000_000L) {
                int n = s.getInputStream().read(buf);
                assertTrue(n > 0, "the quiet stream was closed after " + beats + " heartbeats");
                beats += new String(buf, 0, n, StandardCharsets.UTF_8).split(":keep-alive|: keep-alive", -1).length - 1;
            }
            assertTrue(beats >= 4, "heartbeats: " + beats);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Await.until(what, condition::getAsBoolean);
    }
}
