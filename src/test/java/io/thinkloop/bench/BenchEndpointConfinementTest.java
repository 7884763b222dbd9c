package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/bench/runs} is confined: suites only from the classpath or {@code DATA_DIR/suites}, results
 * only under {@code DATA_DIR/bench}, no file content in its errors, and the run goes to the service itself
 * whatever {@code Host} the request names (a real listener proves the key goes nowhere else).
 */
@QuarkusTest
@TestProfile(BenchTestProfile.class)
class BenchEndpointConfinementTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "thinkloop.data-dir")
    String dataDir;

    /** A one-task suite in DATA_DIR/suites, and a secret-looking non-suite next to it. */
    @BeforeEach
    void suites() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        Path dir = Path.of(dataDir, "suites");
        Files.createDirectories(dir);
        Suite pinned = Suite.load("classpath:trip-smoke-v1.jsonl");
        Suite.Header h = pinned.header();
        SynthTask first = pinned.tasks().getFirst();
        Suite.Header one = new Suite.Header(
                h.type(),
                h.suiteVersion(),
                h.name(),
                h.domain(),
                h.seed(),
                h.env(),
                1,
                Map.of(first.difficulty(), 1),
                h.generator());
        new Suite(one, List.of(first)).write(dir.resolve("one-task.jsonl"));
        Files.writeString(dir.resolve("not-a-suite.txt"), "hunter2secret is the password\nsecond line\n");
    }

    private HttpResponse<String> post(String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort() + "/v1/bench/runs"))
                        .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitEnd(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode state = Json.MAPPER.readTree(HTTP.send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://" + base.getHost() + ":" + base.getPort() + "/v1/bench/runs/" + id))
                                    .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            if (!"running".equals(state.get("status").asText())) {
                return state;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("bench run " + id + " did not end");
    }

    @Test
    void aSuiteOutsideTheClasspathAndTheSuitesFolderIsRefusedWithoutShowingTheFile() throws Exception {
        for (String suite : List.of(
                "/etc/passwd",
                "/etc/shadow",
                "../../../../etc/passwd",
                "suites/../../etc/passwd",
                "classpath:../application.properties",
                "classpath:/etc/passwd",
                ".",
                "..",
                "a/b",
                "a\\\\b",
                "%2e%2e",
                "not-a-suite.txt",
                "no-such-suite",
                "classpath:no-such-suite.jsonl",
                "file:/etc/passwd")) {
            HttpResponse<String> r = post("{\"suite\":\"" + suite + "\"}");
            assertEquals(400, r.statusCode(), suite + ": " + r.body());
            assertEquals(
                    "invalid_request",
                    Json.MAPPER.readTree(r.body()).path("code").asText(),
                    r.body());
            for (String leak : List.of("root", "daemon", "hunter2secret", "password", "quarkus.")) {
                assertFalse(r.body().contains(leak), suite + " leaked '" + leak + "': " + r.body());
            }
        }
    }

    @Test
    void outIsOnlyANameUnderTheBenchFolder() throws Exception {
        for (String out : List.of("../x", "../../tmp/evil", "/tmp/evil", "a/b", "..", ".", ".hidden", "x\\\\y", "")) {
            HttpResponse<String> r = post("{\"suite\":\"one-task.jsonl\",\"out\":\"" + out + "\"}");
            assertEquals(400, r.statusCode(), out + ": " + r.body());
        }
        assertFalse(Files.exists(Path.of(dataDir).resolve("../x")));
        assertFalse(Files.exists(Path.of("/tmp/evil")));
        HttpResponse<String> ok = post("{\"suite\":\"one-task.jsonl\",\"out\":\"named-run\"}");
        assertEquals(202, ok.statusCode(), ok.body());
        JsonNode end = awaitEnd(Json.MAPPER.readTree(ok.body()).get("id").asText());
        assertEquals("completed", end.path("status").asText(), end.toString());
        Path results = Path.of(dataDir, "bench", "named-run");
        assertEquals(results.toString(), end.path("out").asText());
        assertTrue(Files.exists(results.resolve("report.html")));
    }

    @Test
    void aForgedHostHeaderDoesNotReceiveTheKey() throws Exception {
        try (ServerSocket decoy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String body = "{\"suite\":\"one-task.jsonl\",\"out\":\"host-test\"}";
            String head;
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(30_000);
                byte[] payload = body.getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/bench/runs HTTP/1.1\r\nHost: 127.0.0.1:" + decoy.getLocalPort()
                                + "\r\nX-Forwarded-Host: 127.0.0.1:" + decoy.getLocalPort()
                                + "\r\nAuthorization: Bearer " + BenchTestProfile.KEY
                                + "\r\nContent-Type: application/json\r\nContent-Length: "
                                + payload.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(payload);
                out.flush();
                head = readAll(s.getInputStream());
            }
            assertTrue(head.startsWith("HTTP/1.1 202"), head);
            Matcher idField = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(head);
            assertTrue(idField.find(), head);
            String id = idField.group(1);
            JsonNode end = awaitEnd(id);
            assertEquals("completed", end.path("status").asText(), end.toString());
            assertEquals(1, end.path("done").asInt(), "the run reached the service itself");
            // Any connection the run made to the decoy is waiting in its backlog: accept would return at once.
            decoy.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, decoy::accept, "the decoy named in Host got a connection");
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
