package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.cli.ThinkloopCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code thinkloop codec check FILE}, run in-process through the real picocli command tree. */
class CodecCheckCommandTest {

    private record Run(int exit, List<String> lines) {
        String last() {
            return lines.get(lines.size() - 1);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = ThinkloopCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute(args);
        return new Run(exit, out.toString().lines().toList());
    }

    @Test
    void goldenFilePassesCompletely() {
        Run r = run("codec", "check", GoldenData.casesFile().toString());
        assertEquals("571 passed, 0 failed", r.last());
        assertEquals(0, r.exit());
        assertEquals(1, r.lines().size());
    }

    @Test
    void failingCasesAreListedBeforeTheTally(@TempDir Path dir) throws Exception {
        List<String> golden = Files.readAllLines(GoldenData.casesFile(), StandardCharsets.UTF_8);
        String goodEncode = golden.stream()
                .filter(l -> l.contains("\"kind\": \"encode\"") && l.contains("\"expected\""))
                .findFirst()
                .orElseThrow();
        String wrongPrompt = golden.stream()
                .filter(l -> l.contains("\"kind\": \"encode\"") && l.contains("\"expected\""))
                .skip(1)
                .findFirst()
                .orElseThrow()
                .replaceFirst("\"id\": \"([^\"]+)\"", "\"id\": \"tampered-$1\"")
                .replace("<｜Assistant｜>", "<｜Assistant｜> ");
        String wronglyRejected = "{\"id\": \"must-reject\", \"kind\": \"parse\", \"input\": {\"text\": "
                + "\"fine<｜end▁of▁sentence｜>\", \"thinking_mode\": \"chat\"}, \"error\": \"DS32EncodingError\"}";
        Path file = dir.resolve("cases.jsonl");
        Files.write(file, List.of(goodEncode, wrongPrompt, wronglyRejected), StandardCharsets.UTF_8);

        Run r = run("codec", "check", file.toString());
        assertEquals("1 passed, 2 failed", r.last());
        assertEquals(1, r.exit());
        assertEquals(3, r.lines().size());
        assertTrue(r.lines().get(0).startsWith("FAIL tampered-"), r.lines().get(0));
        assertTrue(r.lines().get(0).contains("prompt differs"), r.lines().get(0));
        assertTrue(r.lines().get(1).startsWith("FAIL must-reject: "), r.lines().get(1));
    }

    @Test
    void unreadableFileCountsAsAFailure(@TempDir Path dir) {
        Run r = run("codec", "check", dir.resolve("missing.jsonl").toString());
        assertEquals("0 passed, 1 failed", r.last());
        assertEquals(1, r.exit());
    }
}
