package io.thinkloop.cli;

import io.thinkloop.engine.AttentionMode;
import io.thinkloop.engine.GoldenCheck;
import io.thinkloop.engine.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop engine golden --checkpoint DIR}: replays DIR/golden.json through the engine and
 * prints per-case max |dlogit| and selection mismatches; the last line is {@code N passed, M failed}.
 */
@Command(
        name = "golden",
        mixinStandardHelpOptions = true,
        description = "Check a checkpoint directory against its golden.json (reference logits and indexer selections).")
public final class EngineGoldenCommand implements Callable<Integer> {
    @Option(
            names = "--checkpoint",
            required = true,
            description = "Checkpoint directory (config.json, safetensors, golden.json).")
    Path checkpoint;

    @Option(names = "--golden", description = "Golden file (default: CHECKPOINT/golden.json).")
    Path golden;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Override
    public Integer call() {
        Path g = golden != null ? golden : checkpoint.resolve("golden.json");
        if (!Files.isRegularFile(g)) {
            System.out.println("error: no golden file " + g);
            System.out.println("0 passed, 1 failed");
            return 2;
        }
        List<GoldenCheck.CaseResult> results;
        try (Model m = threads == null ? Model.load(checkpoint) : Model.load(checkpoint, threads)) {
            results = GoldenCheck.run(m, g, AttentionMode.SPARSE);
        } catch (RuntimeException e) {
            System.out.println("error: " + e.getMessage());
            System.out.println("0 passed, 1 failed");
            return 2;
        }
        int passed = 0;
        for (GoldenCheck.CaseResult r : results) {
            System.out.printf(
                    "case %d: prompt %d tokens, %d steps: max |dlogit| %.3g, selection mismatches %d: %s%n",
                    r.index(),
                    r.promptLength(),
                    r.steps(),
                    r.maxAbsDiff(),
                    r.selectionMismatches(),
                    r.passed() ? "PASS" : "FAIL");
            r.problems().stream().limit(10).forEach(p -> System.out.println("  " + p));
            if (r.passed()) {
                passed++;
            }
        }
        int failed = results.size() - passed;
        System.out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
