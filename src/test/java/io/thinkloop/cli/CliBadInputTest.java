package io.thinkloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.synth.Suite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's answer to each bad input, through the real picocli tree in process: the exit status, a
 * one-line cause on stderr, no stack trace, and no side effect (no data directory, checkpoint or output
 * written). The bench's checks against a live service (key rejected, tool server not served) are in
 * {@code BenchEndToEndTest}.
 */
class CliBadInputTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        void assertOneLineCause(String expected) {
            assertTrue(err.contains(expected), "stderr says '" + expected + "': " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace or exception name: " + err);
        }
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = ThinkloopCli.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path suiteFile(String text) throws Exception {
        Path f = tmp.resolve("suite-" + System.nanoTime() + ".jsonl");
        Files.writeString(f, text);
        return f;
    }

    /** The pinned suite with its header (line 1) replaced or its tasks cut. */
    private static List<String> pinned() throws Exception {
        return Suite.load("classpath:trip-smoke-v1.jsonl").toJsonl().lines().toList();
    }

    @Test
    void serveWithAPortOutOfRangeSaysSoBeforeCreatingAnything() {
        Path data = tmp.resolve("data");
        System.setProperty("thinkloop.data-dir", data.toString());
        try {
            Run r = run("serve", "--port", "70000");
            assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
            r.assertOneLineCause("serve: --port must be 1..65535, got 70000");
            assertFalse(Files.exists(data), "no data directory or API key created");
        } finally {
            System.clearProperty("thinkloop.data-dir");
        }
    }

    @Test
    void serveWithAPortThatIsNoNumberIsAUsageError() {
        Run r = run("serve", "--port", "eighty");
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("Invalid value for option '--port': 'eighty' is not an int");
    }

    @Test
    void engineGenerateRejectsAnUnknownMode() {
        Run r = run(
                "engine",
                "generate",
                "--prompt",
                "hi",
                "--mode",
                "bogus",
                "--data-dir",
                tmp.resolve("d").toString());
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("expected one of [chat, thinking]");
        assertFalse(Files.exists(tmp.resolve("d")), "no checkpoint generated");
    }

    @Test
    void engineGenerateRejectsBadSamplingValuesBeforeGeneratingTheCheckpoint() {
        for (String[] bad : List.of(
                new String[] {"--max-tokens", "0"},
                new String[] {"--top-p", "1.5"},
                new String[] {"--temperature", "-1"},
                new String[] {"--top-k", "-2"})) {
            Run r = run(
                    "engine",
                    "generate",
                    "--prompt",
                    "hi",
                    bad[0],
                    bad[1],
                    "--data-dir",
                    tmp.resolve("d").toString());
            assertEquals(2, r.exit(), String.join(" ", bad));
            r.assertOneLineCause(bad[0] + " must be");
        }
        assertFalse(Files.exists(tmp.resolve("d")), "no checkpoint generated");
    }

    @Test
    void toolServerWithAPortOutOfRangeSaysSo() {
        Run r = run("tool-server", "calculator", "--port", "70000");
        assertEquals(2, r.exit());
        r.assertOneLineCause("--port must be 0..65535");
    }

    @Test
    void helpKnowsEverySubcommandIncludingTheLaunchersOwn() {
        for (String cmd : List.of(
                "serve", "engine", "perf", "codec", "trip-data", "synth", "bench", "tool-server", "test", "build")) {
            Run r = run("help", cmd);
            assertEquals(0, r.exit(), cmd + ": " + r.err());
            assertTrue(r.out().contains("Usage: thinkloop " + cmd), cmd + ": " + r.out());
        }
        assertTrue(run("help", "test").out().contains("whole test suite"));
        Run root = run("--help");
        assertTrue(root.out().contains("test") && root.out().contains("build"), root.out());
    }

    @Test
    void anUnknownSubcommandIsAUsageError() {
        Run r = run("bogus");
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("Unmatched argument at index 0: 'bogus'");
    }

    @Test
    void theLaunchersCommandsSayWhereTheyRun() {
        Run r = run("test");
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("./thinkloop test");
    }

    @Test
    void aSuiteHeaderWithoutEnvIsAClearErrorNotANullPointer() throws Exception {
        List<String> lines = pinned();
        String header = lines.getFirst().replaceAll(",\"env\":\\{[^}]*\\}\\}", "");
        assertFalse(header.contains("\"env\""), header);
        Path suite = suiteFile(header + "\n" + String.join("\n", lines.subList(1, lines.size())) + "\n");
        Path out = tmp.resolve("out");
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:" + closedPort(),
                "--suite",
                suite.toString(),
                "--out",
                out.toString());
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("the suite header lacks env (server and options)");
        assertFalse(Files.exists(out));
    }

    @Test
    void aSuiteOfOnlyAHeaderIsRejected() throws Exception {
        Path suite = suiteFile(pinned().getFirst() + "\n");
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:9",
                "--suite",
                suite.toString(),
                "--out",
                tmp.resolve("o").toString());
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("the suite has no tasks");
    }

    @Test
    void aTruncatedSuiteIsRejected() throws Exception {
        List<String> lines = pinned();
        Path suite = suiteFile(String.join("\n", lines.subList(0, 5)) + "\n");
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:9",
                "--suite",
                suite.toString(),
                "--out",
                tmp.resolve("o").toString());
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("the header says 30 tasks but the file has 4");
    }

    @Test
    void aSuiteOfAnUnknownDomainIsRejected() throws Exception {
        List<String> lines = pinned();
        Path suite = suiteFile(lines.getFirst().replace("\"domain\":\"trip-planning\"", "\"domain\":\"space\"") + "\n"
                + lines.get(1) + "\n");
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:9",
                "--suite",
                suite.toString(),
                "--out",
                tmp.resolve("o").toString());
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("unknown domain 'space'");
    }

    @Test
    void benchAgainstADeadUrlFailsBeforeTheFirstTrialWithOneLine() throws Exception {
        Path out = tmp.resolve("out");
        int port = closedPort();
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:" + port,
                "--suite",
                "classpath:trip-smoke-v1.jsonl",
                "--out",
                out.toString());
        assertEquals(ThinkloopCli.EXIT_FAILED, r.exit());
        r.assertOneLineCause("bench: cannot connect to http://127.0.0.1:" + port);
        assertFalse(r.out().contains("infrastructure error"), "no trial was started: " + r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void benchWithBadNumbersIsAUsageError() {
        Run r = run(
                "bench",
                "--url",
                "http://127.0.0.1:9",
                "--suite",
                "classpath:trip-smoke-v1.jsonl",
                "--out",
                tmp.resolve("o").toString(),
                "--trials",
                "0");
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("--trials must be 1..100");
    }
}
