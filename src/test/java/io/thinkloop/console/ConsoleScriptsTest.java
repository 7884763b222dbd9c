package io.thinkloop.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The console page's pure modules (protocol.js, store.js) under Node's own test runner
 * ({@code src/test/node/console-unit.test.mjs}); no browser, no service, no npm packages.
 */
class ConsoleScriptsTest {

    @Test
    void protocolAndStoreModules() throws Exception {
        Interop.requirePeer(onPath("node"), "node (for the console's script tests)");
        Path dir = Path.of("src/test/node").toAbsolutePath();
        Path log = TestTemp.file("console-unit-", ".log");
        try {
            Process p = new ProcessBuilder("node", "--test", "console-unit.test.mjs")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node --test timed out");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("# pass 8") && out.contains("# fail 0"), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }
}
