package io.thinkloop.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine against the reference outputs of the tiny DeepSeek-V3.2 checkpoints. */
class GoldenTest {
    static Path tiny(String variant) {
        return TestData.tinyCheckpoint(variant);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sparse", "dense", "fp8"})
    void matchesReference(String variant) {
        try (Model m = Model.load(tiny(variant), 2)) {
            List<GoldenCheck.CaseResult> results =
                    GoldenCheck.run(m, tiny(variant).resolve("golden.json"), AttentionMode.SPARSE);
            assertFalse(results.isEmpty());
            for (GoldenCheck.CaseResult r : results) {
                System.out.printf(
                        "%s case %d (prompt %d, %d steps): max |dlogit| %.3g, selection mismatches %d%n",
                        variant, r.index(), r.promptLength(), r.steps(), r.maxAbsDiff(), r.selectionMismatches());
                r.problems().stream().limit(5).forEach(p -> System.out.println("  " + p));
            }
            for (GoldenCheck.CaseResult r : results) {
                assertTrue(r.passed(), variant + " case " + r.index() + ": " + r.problems());
                assertEquals(0, r.selectionMismatches());
            }
        }
    }
}
