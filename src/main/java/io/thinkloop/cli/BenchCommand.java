package io.thinkloop.cli;

import io.thinkloop.bench.BenchConfig;
import io.thinkloop.bench.BenchRunner;
import io.thinkloop.bench.Comparison;
import io.thinkloop.bench.Metrics;
import io.thinkloop.bench.PreflightFailure;
import io.thinkloop.bench.ProgressPrinter;
import io.thinkloop.bench.RunInfo;
import io.thinkloop.bench.TrialResult;
import io.thinkloop.synth.Suite;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./thinkloop bench --url URL --suite FILE --trials K --out DIR}: the agent benchmark harness against a
 * running service (its WebSocket API). Resumable: trials already in DIR/trials.jsonl are skipped.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Run a task suite against a Thinkloop service: pass^k, rewards, latency, tokens; JSON, HTML report, RL rollouts.",
        subcommands = {BenchCommand.Export.class, BenchCommand.Compare.class})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--url", description = "service base URL, e.g. http://localhost:8080")
    URI url;

    @Option(names = "--suite", description = "suite JSONL file, or classpath:trip-smoke-v1.jsonl for the pinned one")
    String suite;

    @Option(names = "--trials", defaultValue = "1", description = "trials per task, k (default ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--out", description = "output directory (results.json, trials.jsonl, report.html, rollouts.jsonl)")
    Path out;

    @Option(names = "--concurrency", defaultValue = "4", description = "trials at once (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--deadline", defaultValue = "300", description = "seconds per trial (default ${DEFAULT-VALUE})")
    long deadlineSeconds;

    @Option(
            names = "--max-steps",
            defaultValue = "32",
            description =
                    "model generations per trial before the harness cancels (default ${DEFAULT-VALUE}); the service's own cap is thinkloop.agent.max-steps")
    int maxSteps;

    @Option(
            names = "--api-key",
            defaultValue = "${env:THINKLOOP_API_KEY}",
            description = "API key (default: env THINKLOOP_API_KEY)")
    String apiKey;

    @Option(names = "--seed", description = "seed in the trial keys (default: the suite's seed)")
    Long seed;

    @Option(
            names = "--temperature",
            defaultValue = "0",
            description =
                    "sampling temperature of every trial (default ${DEFAULT-VALUE}: greedy, all trials alike); above 0 each trial gets its own recorded seed")
    double temperature;

    @Option(names = "--top-p", description = "nucleus sampling threshold in (0, 1] (default: off)")
    Double topP;

    @Option(
            names = "--retries",
            defaultValue = "3",
            description = "attempts per trial on infrastructure errors in this run (default ${DEFAULT-VALUE})")
    int retries;

    @Option(
            names = "--stop-after",
            defaultValue = "0",
            description = "stop after N newly scored trials (0: run all), for partial runs")
    int stopAfter;

    @Override
    public Integer call() throws Exception {
        if (url == null || suite == null || out == null) {
            System.err.println("bench: --url, --suite and --out are required (see ./thinkloop bench --help)");
            return 2;
        }
        Suite s;
        try {
            s = Suite.load(suite);
        } catch (IOException e) {
            System.err.println("bench: " + e.getMessage());
            return 2;
        }
        BenchConfig config;
        try {
            config = new BenchConfig(
                    url,
                    apiKey,
                    suite,
                    trials,
                    concurrency,
                    Duration.ofSeconds(deadlineSeconds),
                    maxSteps,
                    out,
                    seed == null ? s.header().seed() : seed,
                    Math.max(1, retries),
                    stopAfter,
                    temperature,
                    topP);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            return 2;
        }
        if (stopAfter < 0 || retries < 1) {
            System.err.println("bench: --stop-after must be >= 0 and --retries >= 1");
            return 2;
        }
        System.out.println("bench " + s.header().name() + " (" + s.tasks().size() + " tasks x " + trials + ") against "
                + url + "; the service must serve thinkloop.tools.servers="
                + s.header().env().serverSpec());
        ProgressPrinter printer = ProgressPrinter.forStdout();
        BenchRunner runner = new BenchRunner(config, printer);
        Metrics.Summary summary;
        try {
            summary = runner.run();
        } catch (PreflightFailure e) {
            System.err.println("bench: " + e.getMessage());
            return ThinkloopCli.EXIT_FAILED;
        }
        printer.finish();
        print(summary, out);
        if (stopAfter == 0 && summary.pendingTrials() > 0) {
            System.err.println("bench: " + summary.pendingTrials() + " trials not scored (infrastructure errors); "
                    + "run the same command again to resume them");
            return ThinkloopCli.EXIT_FAILED;
        }
        return 0;
    }

    static void print(Metrics.Summary s, Path out) {
        Metrics.Scores sc = s.scores();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "pass@1 %.3f", sc.passAt1()));
        sc.passHatK().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  pass^%d %.3f", k, v)));
        System.out.println(b);
        System.out.printf(
                Locale.ROOT,
                "trials %d scored, %d pending, %d infrastructure errors re-queued; avg reward %.3f; tool calls %d (%.2f/trial), tool errors %d%n",
                sc.trials(),
                s.pendingTrials(),
                s.infraErrorsThisRun(),
                sc.averageReward(),
                sc.toolCalls(),
                sc.toolCallsPerTrial(),
                sc.toolErrors());
        System.out.printf(
                Locale.ROOT,
                "TTFT p50 %d ms; latency p50 %d ms, p95 %d ms; tokens: reasoning %d, answer %d, prompt %d%n",
                s.timing().ttftP50Ms(),
                s.timing().latencyP50Ms(),
                s.timing().latencyP95Ms(),
                sc.reasoningTokens(),
                sc.answerTokens(),
                sc.promptTokens());
        System.out.println("terminations " + sc.terminations() + "; success by difficulty " + sc.successByDifficulty());
        System.out.println("wrote " + out.resolve(BenchRunner.RESULTS) + ", " + BenchRunner.TRIALS + ", "
                + BenchRunner.REPORT + ", " + BenchRunner.ROLLOUTS);
    }

    /** {@code ./thinkloop bench export}: rewrites results.json, report.html and rollouts.jsonl from DIR/trials.jsonl. */
    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Rebuild results.json, report.html and rollouts.jsonl (RL groups with advantages) from a run directory.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--suite", required = true)
        String suite;

        @Option(names = "--out", required = true, description = "the run directory")
        Path out;

        @Option(names = "--trials", defaultValue = "1", description = "k of the run")
        int trials;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(out.resolve(BenchRunner.TRIALS))) {
                System.err.println("bench export: no " + BenchRunner.TRIALS + " in " + out);
                return 2;
            }
            Suite s = Suite.load(suite);
            List<TrialResult> results = BenchRunner.readTrials(out.resolve(BenchRunner.TRIALS));
            Metrics.Summary summary =
                    BenchRunner.writeOutputs(s, results, out, trials, BenchRunner.readRunInfo(out), 0);
            print(summary, out);
            return 0;
        }
    }

    /** {@code ./thinkloop bench compare DIR1 DIR2}: two runs of one suite side by side, with McNemar's test. */
    @Command(
            name = "compare",
            mixinStandardHelpOptions = true,
            description = "Compare two run directories trial by trial (paired by task and trial number): pass rates, "
                    + "tasks whose outcome differs, and McNemar's exact test.")
    static final class Compare implements Callable<Integer> {
        @Parameters(index = "0", description = "run directory A (the baseline)")
        Path a;

        @Parameters(index = "1", description = "run directory B")
        Path b;

        @Option(names = "--html", description = "also write the comparison as an HTML page here")
        Path html;

        @Override
        public Integer call() throws Exception {
            for (Path dir : List.of(a, b)) {
                if (!Files.isRegularFile(dir.resolve(BenchRunner.TRIALS))) {
                    System.err.println("bench compare: no " + BenchRunner.TRIALS + " in " + dir);
                    return 2;
                }
            }
            Comparison c = Comparison.of(
                    BenchRunner.readTrials(a.resolve(BenchRunner.TRIALS)),
                    BenchRunner.readTrials(b.resolve(BenchRunner.TRIALS)));
            if (c.pairs() == 0) {
                System.err.println("bench compare: the runs share no (task, trial) pair; are they runs of one suite?");
                return 2;
            }
            System.out.print(c.toText(describe(a), describe(b)));
            if (html != null) {
                Files.writeString(html, c.toHtml(describe(a), describe(b)));
                System.out.println("wrote " + html);
            }
            return 0;
        }

        private static String describe(Path dir) {
            RunInfo run = BenchRunner.readRunInfo(dir);
            return run == null
                    ? dir.toString()
                    : dir + " (" + (run.backend() == null ? "backend ?" : run.backend()) + ", " + run.samplingLabel()
                            + ")";
        }
    }
}
