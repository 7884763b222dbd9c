package io.thinkloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code ./thinkloop perf train}: the size sweep's figures and its checks of bad values. */
class TrainPerfCommandTest {
    @Test
    void theSweepPrintsEveryCandidateSizeAndTodaysDefaultForReference() {
        CliBadInputTest.Run r = CliBadInputTest.run("perf", "train", "--sweep-only");
        assertEquals(0, r.exit(), r.err());
        long rows = r.out()
                .lines()
                .filter(l -> l.matches("\\s+(8192|16384|32768)\\s+(128|256)\\s+[24]\\s.*"))
                .count();
        assertEquals(12, rows, "3 vocabularies x 2 widths x 2 depths: " + r.out());
        // the measured figures for today's default, recomputed from the shapes
        assertTrue(r.out().contains("76.0M parameters, 78.8 MFLOP/token forward (84% output head)"), r.out());
    }

    @Test
    void badValuesAreUsageErrors() {
        CliBadInputTest.Run r = CliBadInputTest.run("perf", "train", "--seq-len", "1");
        assertEquals(ThinkloopCli.EXIT_USAGE, r.exit());
        r.assertOneLineCause("--seq-len must be >= 2");
        CliBadInputTest.Run e = CliBadInputTest.run("perf", "train", "--active-experts", "9");
        assertEquals(ThinkloopCli.EXIT_USAGE, e.exit());
        e.assertOneLineCause("--active-experts must be 1..8");
    }
}
