package io.thinkloop.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a new user meets first, in a browser against the real service as shipped: the {@code embedded}
 * backend with no checkpoint (the UNTRAINED default) and API-key authentication on. Without a key the
 * console says so and sends nothing; after the key is entered the message typed before is sent exactly
 * once; the header badge names {@code embedded} and shows the untrained warning with what to do. The
 * browser part is {@code src/test/node/console-e2e.mjs --first-run-only}.
 */
@QuarkusTest
@TestProfile(ConsoleFirstRunBrowserTest.Profile.class)
class ConsoleFirstRunBrowserTest {

    static final String KEY = "first-run-key";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path data;
            try {
                Files.createDirectories(Path.of("target"));
                data = TestTemp.dir(Path.of("target").toAbsolutePath(), "console-first-run-data-");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "thinkloop.model.backend",
                    "embedded",
                    "thinkloop.security.auth-enabled",
                    "true",
                    "thinkloop.api-key",
                    KEY,
                    "thinkloop.data-dir",
                    data.toString());
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void withoutAKeyNothingIsSentAndTheQueuedMessageGoesOnceTheKeyIsAccepted() throws Exception {
        Interop.requirePeer(
                ConsoleBrowserTest.onPath("node") && ConsoleBrowserTest.onPath("npm"),
                "node and npm (for the browser test)");
        ConsoleBrowserTest.Result installed = ConsoleBrowserTest.run(
                List.of("bash", Path.of("src/test/setup.sh").toAbsolutePath().toString()), 900);
        assertEquals(0, installed.exit(), "src/test/setup.sh failed:\n" + installed.output());

        Path shots = Path.of("target/console-screenshots").toAbsolutePath();
        ConsoleBrowserTest.Result e2e = ConsoleBrowserTest.run(
                List.of(
                        "node",
                        Path.of("src/test/node/console-e2e.mjs")
                                .toAbsolutePath()
                                .toString(),
                        "--base-url",
                        root.toString().replaceAll("/$", ""),
                        "--api-key",
                        KEY,
                        "--first-run-only",
                        "--expect-backend",
                        "embedded",
                        "--expect-untrained",
                        "--out",
                        shots.toString()),
                400);
        String out = e2e.output();
        System.out.println(out);
        assertEquals(0, e2e.exit(), "console-e2e.mjs failed:\n" + out);
        assertTrue(out.contains("CONSOLE-E2E PASS"), out);
        for (String step : List.of("no-key-said", "not-sent-without-key", "queued-sent-once", "model-badge")) {
            assertTrue(out.contains("STEP " + step + " "), "missing step " + step + ":\n" + out);
        }
        assertTrue(Files.size(shots.resolve("00-light-untrained-badge.png")) > 10_000, "screenshot of the warning");
    }
}
