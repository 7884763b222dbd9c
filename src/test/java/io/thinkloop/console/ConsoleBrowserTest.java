package io.thinkloop.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web console against the real service: Quarkus with the deterministic {@link ConsoleTestBackend},
 * the {@link ConsoleTestTools} and API-key authentication on. The browser part is
 * {@code src/test/node/console-e2e.mjs} (playwright-core driving Debian's Chromium, both installed by
 * {@code src/test/setup.sh}); it saves screenshots in {@code target/console-screenshots/}.
 */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.Profile.class)
class ConsoleBrowserTest {

    static final String KEY = "console-test-key";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path data;
            try {
                Files.createDirectories(Path.of("target"));
                data = TestTemp.dir(Path.of("target").toAbsolutePath(), "console-test-data-");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "thinkloop.model.backend", "console-test",
                    "thinkloop.console-test.tools", "true",
                    "thinkloop.security.auth-enabled", "true",
                    "thinkloop.api-key", KEY,
                    "thinkloop.data-dir", data.toString());
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    ToolRegistry registry;

    @Test
    void pageAndToolCatalogAreServed() {
        given().get("/")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("<title>Thinkloop console</title>"));
        given().get("/console/app.js").then().statusCode(200).contentType(containsString("javascript"));

        given().get("/v1/tools").then().statusCode(401);
        given().auth()
                .oauth2(KEY)
                .get("/v1/tools")
                .then()
                .statusCode(200)
                .body("name", containsInAnyOrder("guarded_echo", "multiply", "slow_wait"))
                .body("find { it.name == 'guarded_echo' }.approval", equalTo("ask"))
                .body("find { it.name == 'multiply' }.approval", equalTo("auto"))
                .body("find { it.name == 'multiply' }.source", equalTo("local"))
                .body("find { it.name == 'multiply' }.parameters.required", containsInAnyOrder("a", "b"));
        given().auth().oauth2(KEY).get("/v1/mcp/servers").then().statusCode(200).body("$", empty());
    }

    @Test
    void toolSourcesOtherThanLocalAreListedAsMcpServers() {
        registry.register(echoTool("lookup_city", "Finds a city."), "trip-planning");
        try {
            given().auth()
                    .oauth2(KEY)
                    .get("/v1/mcp/servers")
                    .then()
                    .statusCode(200)
                    .body("name", contains("trip-planning"))
                    .body("[0].status", equalTo("connected"))
                    .body("[0].tools.name", contains("lookup_city"))
                    .body("[0].tools[0].source", equalTo("trip-planning"));
            given().auth()
                    .oauth2(KEY)
                    .get("/v1/tools")
                    .then()
                    .statusCode(200)
                    .body("find { it.name == 'lookup_city' }.source", equalTo("trip-planning"));
        } finally {
            registry.unregisterSource("trip-planning");
        }
        given().auth().oauth2(KEY).get("/v1/mcp/servers").then().statusCode(200).body("$", empty());
    }

    @Test
    void ownOriginIsAllowedOthersAreNot() {
        String own = root.getProtocol() + "://" + root.getAuthority();
        given().auth().oauth2(KEY).header("Origin", own).get("/v1/tools").then().statusCode(200);
        given().auth()
                .oauth2(KEY)
                .header("Origin", "http://evil.example")
                .get("/v1/tools")
                .then()
                .statusCode(403)
                .body("code", equalTo("origin_not_allowed"));
    }

    @Test
    void browserChatsStreamsCancelsAndResumes() throws Exception {
        Path setup = Path.of("src/test/setup.sh").toAbsolutePath();
        Path script = Path.of("src/test/node/console-e2e.mjs").toAbsolutePath();
        Path shots = Path.of("target/console-screenshots").toAbsolutePath();
        Interop.requirePeer(onPath("node") && onPath("npm"), "node and npm (for the browser test)");

        Result installed = run(List.of("bash", setup.toString()), 900);
        assertEquals(0, installed.exit(), "src/test/setup.sh failed:\n" + installed.output());
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "setup.sh did not install /usr/bin/chromium");

        String base = root.toString().replaceAll("/$", "");
        // A tool from an MCP-server source, so the panel shows a server with its tools.
        registry.register(echoTool("lookup_city", "Finds a city by name."), "trip-planning");
        Result e2e;
        try {
            e2e = run(
                    List.of(
                            "node",
                            script.toString(),
                            "--base-url",
                            base,
                            "--api-key",
                            KEY,
                            "--mcp-server",
                            "trip-planning:lookup_city",
                            "--expect-backend",
                            "console-test",
                            "--out",
                            shots.toString()),
                    300);
        } finally {
            registry.unregisterSource("trip-planning");
        }
        String out = e2e.output();
        System.out.println(out);
        assertEquals(0, e2e.exit(), "console-e2e.mjs failed:\n" + out);
        assertTrue(out.contains("CONSOLE-E2E PASS"), out);
        for (String step : List.of(
                "no-key-said",
                "not-sent-without-key",
                "queued-sent-once",
                "model-badge",
                "page-loaded",
                "keyboard-skip-link",
                "turn-streamed",
                "reconnected-mid-turn",
                "cancelled",
                "approved",
                "denied",
                "reloaded-and-resumed",
                "replayed-in-new-tab",
                "theme-toggle")) {
            assertTrue(out.contains("STEP " + step + " "), "missing step " + step + ":\n" + out);
        }
        for (String png : List.of(
                "00-light-key-rejected",
                "00-light-model-badge",
                "01-light-answer",
                "02-light-running-tool",
                "03-light-cancelled",
                "04-light-approval",
                "05-light-after-reload",
                "06-dark-replayed",
                "07-dark-toggled")) {
            Path file = shots.resolve(png + ".png");
            assertTrue(Files.size(file) > 10_000, "screenshot " + file);
        }
    }

    static Tool echoTool(String name, String description) {
        ToolSpec spec =
                new ToolSpec(name, description, Json.MAPPER.createObjectNode().put("type", "object"));
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
                return Uni.createFrom().item(ToolResult.ok(arguments.toString()));
            }
        };
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = TestTemp.file("console-e2e-", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Result(
                        -1,
                        "timed out after " + timeoutSeconds + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
