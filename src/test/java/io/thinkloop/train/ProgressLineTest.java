package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line: redrawn in place on a terminal, plain lines at an interval otherwise. */
class ProgressLineTest {
    private static String drive(boolean terminal, int plainEvery) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressLine p = new ProgressLine(new PrintStream(buf, true, StandardCharsets.UTF_8), terminal, plainEvery);
        for (int s = 1; s <= 10; s++) {
            p.update(s, 10, 2.5 - s * 0.1, s >= 5 ? 2.2 : Double.NaN, 1e-3, 1234.5, (10 - s) * 7.0);
            if (s == 5) {
                p.note("checkpoint x");
            }
        }
        p.finish();
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndNotesGetTheirOwnLine() {
        String out = drive(true, 1);
        assertEquals(10, out.split("\r", -1).length - 1 - 1, "one carriage return per update, one for the note");
        assertTrue(out.contains("\u001b[K"), "erases the rest of the line");
        assertEquals(
                2, out.chars().filter(c -> c == '\n').count(), "newlines only after the note and at the end: " + out);
        assertTrue(out.contains("step 10/10 [####################]"), out);
        assertTrue(out.contains("eval 2.2000") && out.contains("1,235 tok/s") && out.contains("ETA 0s"), out);
    }

    @Test
    void intoAFileItPrintsPlainLinesAtTheIntervalAndTheLastStep() {
        String out = drive(false, 4);
        assertFalse(out.contains("\r") || out.contains("\u001b"), "no control characters in a log");
        assertEquals(
                List.of("step 4/10", "checkpoint x", "step 8/10", "step 10/10"),
                out.lines()
                        .map(l -> l.startsWith("step") ? l.substring(0, l.indexOf(' ', 5)) : l)
                        .toList());
        assertTrue(out.contains("ETA 42s"), "6 steps left at 7 s each: " + out);
    }

    @Test
    void durationsReadAsHoursMinutesAndSeconds() {
        assertEquals("42s", ProgressLine.formatDuration(42));
        assertEquals("3m07s", ProgressLine.formatDuration(187));
        assertEquals("1h02m", ProgressLine.formatDuration(3725));
        assertEquals("?", ProgressLine.formatDuration(Double.NaN));
    }
}
