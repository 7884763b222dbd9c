package io.thinkloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code thinkloop engine golden} and {@code engine generate} through the real picocli tree. */
class EngineCommandTest {
    static Path tiny(String v) {
        return TestData.tinyCheckpoint(v);
    }

    record Run(int exit, String out) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = ThinkloopCli.execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void goldenPassesAndEndsWithTheSummaryLine() {
        Run r = run("engine", "golden", "--checkpoint", tiny("sparse").toString(), "--threads", "2");
        assertEquals("4 passed, 0 failed", r.lastLine(), r.out());
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("max |dlogit|"));
    }

    @Test
    void goldenAgainstAnotherCheckpointsFileFails() {
        // The fp8 golden was computed on quantized weights: the unquantized sparse weights miss it.
        Run r = run(
                "engine",
                "golden",
                "--checkpoint",
                tiny("sparse").toString(),
                "--golden",
                tiny("fp8").resolve("golden.json").toString());
        assertTrue(r.lastLine().matches("\\d+ passed, [1-9]\\d* failed"), r.out());
        assertEquals(1, r.exit());
    }

    @Test
    void missingCheckpointIsAnErrorWithTheSummaryLine() {
        Run r = run("engine", "golden", "--checkpoint", "/nonexistent/dir");
        assertEquals("0 passed, 1 failed", r.lastLine());
        assertEquals(2, r.exit());
    }

    @Test
    void generateIsGreedyOverTokenIds() {
        Run r = run(
                "engine",
                "generate",
                "--checkpoint",
                tiny("sparse").toString(),
                "--tokens",
                "203,261,750",
                "--max",
                "3");
        assertEquals(0, r.exit());
        // The golden's first case: prompt 203,261,750 -> argmax 93, then 475.
        String[] ids = r.out().strip().split("\n");
        assertEquals("93", ids[0]);
        assertEquals("475", ids[1]);
    }

    @Test
    void generateFromAPromptUsesTheUntrainedDefaultAndSaysSo(@org.junit.jupiter.api.io.TempDir Path data) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Run a;
        Run b;
        try {
            String[] args = {
                "engine",
                "generate",
                "--data-dir",
                data.toString(),
                "--prompt",
                "What is 2+2?",
                "--max-tokens",
                "6",
                "--temperature",
                "0.8",
                "--top-p",
                "0.95",
                "--top-k",
                "50",
                "--seed",
                "3",
                "--threads",
                "2"
            };
            a = run(args);
            b = run(args);
        } finally {
            System.setErr(oldErr);
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, a.exit(), log);
        assertTrue(Files.exists(data.resolve("models/embedded-20251201/model.safetensors")));
        assertTrue(log.contains("UNTRAINED"), log);
        assertTrue(log.contains("tokens/s"), log);
        assertTrue(log.contains("6 tokens generated"), log);
        assertTrue(log.contains("generated the embedded default checkpoint"), "generated once: " + log);
        assertEquals(
                log.indexOf("generated the embedded default checkpoint"),
                log.lastIndexOf("generated the embedded default checkpoint"),
                "reused on the second run");
        assertFalse(a.out().isBlank());
        assertEquals(a.out(), b.out(), "same seed, same text");
    }
}
