package io.thinkloop.bench;

import io.thinkloop.synth.SynthTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's figures from its scored trials. {@link Scores} depend only on what the agent did (identical for an
 * interrupted-and-resumed run and an uninterrupted one with the same outcomes); {@link Timing} on the clock.
 * pass^k for a task with n trials and c passes is C(c,k)/C(n,k) (all k drawn trials pass), pass@k is
 * 1 - C(n-c,k)/C(n,k); both are averaged over tasks with at least k trials.
 */
public final class Metrics {
    private Metrics() {}

    public record Scores(
            int tasks,
            int trials,
            int passedTrials,
            double passAt1,
            Map<Integer, Double> passHatK,
            Map<Integer, Double> passAtK,
            double averageReward,
            int toolCalls,
            int toolErrors,
            double toolCallsPerTrial,
            int steps,
            long promptTokens,
            long reasoningTokens,
            long answerTokens,
            Map<String, Integer> terminations,
            Map<Integer, Double> successByDifficulty,
            Interval trialPassRate,
            Map<Integer, LevelScore> levels) {}

    /** A 95% confidence interval for a pass rate (Wilson score: sound at 0, at 1 and for few trials). */
    public record Interval(double low, double high) {}

    /** One difficulty level: trials, passes, pass rate and its 95% interval. */
    public record LevelScore(int trials, int passed, double rate, Interval interval) {}

    public record Timing(long ttftP50Ms, long latencyP50Ms, long latencyP95Ms, long latencyMaxMs) {}

    /** {@code infraErrorsThisRun}: attempts re-queued (not scored) by the run that wrote the summary. */
    public record Summary(
            RunInfo run,
            String suite,
            int suiteVersion,
            int k,
            int tasksInSuite,
            int expectedTrials,
            int pendingTrials,
            int infraErrorsThisRun,
            Scores scores,
            Timing timing) {}

    public static Summary summarize(
            String suiteName, int suiteVersion, List<SynthTask> tasks, int k, List<TrialResult> trials) {
        return summarize(null, suiteName, suiteVersion, tasks, k, trials, 0);
    }

    public static Summary summarize(
            RunInfo run,
            String suiteName,
            int suiteVersion,
            List<SynthTask> tasks,
            int k,
            List<TrialResult> trials,
            int infraErrors) {
        Map<String, List<TrialResult>> byTask = new LinkedHashMap<>();
        tasks.forEach(t -> byTask.put(t.id(), new ArrayList<>()));
        for (TrialResult r : trials) {
            byTask.computeIfAbsent(r.taskId(), x -> new ArrayList<>()).add(r);
        }
        Map<Integer, Double> passHat = new TreeMap<>();
        Map<Integer, Double> passAt = new TreeMap<>();
        for (int j = 1; j <= k; j++) {
            double hat = 0, at = 0;
            int n = 0;
            for (List<TrialResult> rs : byTask.values()) {
                if (rs.size() < j) {
                    continue;
                }
                int c = (int) rs.stream().filter(TrialResult::passed).count();
                hat += passHatK(rs.size(), c, j);
                at += passAtK(rs.size(), c, j);
                n++;
            }
            passHat.put(j, n == 0 ? 0.0 : round(hat / n));
            passAt.put(j, n == 0 ? 0.0 : round(at / n));
        }
        int passed = (int) trials.stream().filter(TrialResult::passed).count();
        Map<String, Integer> terms = new TreeMap<>();
        trials.forEach(r -> terms.merge(r.termination(), 1, Integer::sum));
        Map<Integer, int[]> diff = new TreeMap<>();
        trials.forEach(r -> {
            int[] a = diff.computeIfAbsent(r.difficulty(), x -> new int[2]);
            a[0] += r.passed() ? 1 : 0;
            a[1]++;
        });
        Map<Integer, Double> byDifficulty = new TreeMap<>();
        Map<Integer, LevelScore> levels = new TreeMap<>();
        diff.forEach((d, a) -> {
            byDifficulty.put(d, round((double) a[0] / a[1]));
            levels.put(d, new LevelScore(a[1], a[0], round((double) a[0] / a[1]), wilson(a[0], a[1])));
        });
        int toolCalls = trials.stream().mapToInt(TrialResult::toolCalls).sum();
        Scores scores = new Scores(
                byTask.size(),
                trials.size(),
                passed,
                passHat.getOrDefault(1, 0.0),
                passHat,
                passAt,
                trials.isEmpty()
                        ? 0
                        : round(trials.stream().mapToDouble(TrialResult::reward).sum() / trials.size()),
                toolCalls,
                trials.stream().mapToInt(TrialResult::toolErrors).sum(),
                trials.isEmpty() ? 0 : round((double) toolCalls / trials.size()),
                trials.stream().mapToInt(TrialResult::steps).sum(),
                trials.stream().mapToLong(TrialResult::promptTokens).sum(),
                trials.stream().mapToLong(TrialResult::reasoningTokens).sum(),
                trials.stream().mapToLong(TrialResult::answerTokens).sum(),
                terms,
                byDifficulty,
                wilson(passed, trials.size()),
                levels);
        long[] ttft = trials.stream()
                .mapToLong(TrialResult::ttftMs)
                .filter(x -> x >= 0)
                .sorted()
                .toArray();
        long[] lat = trials.stream().mapToLong(TrialResult::latencyMs).sorted().toArray();
        Timing timing = new Timing(
                percentile(ttft, 50),
                percentile(lat, 50),
                percentile(lat, 95),
                lat.length == 0 ? 0 : lat[lat.length - 1]);
        int expected = tasks.size() * k;
        return new Summary(
                run,
                suiteName,
                suiteVersion,
                k,
                tasks.size(),
                expected,
                Math.max(0, expected - trials.size()),
                infraErrors,
                scores,
                timing);
    }

    /**
     * The Wilson score interval at 95% for {@code passed} of {@code n}: unlike the normal approximation it stays
     * inside [0, 1] and is not empty at 0 or n passes, which is where small agent suites live. n = 0: [0, 1].
     */
    public static Interval wilson(int passed, int n) {
        if (n == 0) {
            return new Interval(0, 1);
        }
        double z = 1.959963984540054;
        double p = (double) passed / n;
        double z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
        return new Interval(round(Math.max(0, centre - half)), round(Math.min(1, centre + half)));
    }

    /** C(c,k)/C(n,k): the chance that k trials drawn without replacement all pass. */
    public static double passHatK(int n, int c, int k) {
        return c < k ? 0.0 : ratio(c, n, k);
    }

    /** 1 - C(n-c,k)/C(n,k): the chance that at least one of k drawn trials passes. */
    public static double passAtK(int n, int c, int k) {
        return n - c < k ? 1.0 : 1.0 - ratio(n - c, n, k);
    }

    /** C(a,k)/C(n,k) as a product, without overflow. */
    private static double ratio(int a, int n, int k) {
        double r = 1;
        for (int i = 0; i < k; i++) {
            r *= (double) (a - i) / (n - i);
        }
        return r;
    }

    /** Nearest-rank percentile of sorted values (0 when empty). */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
