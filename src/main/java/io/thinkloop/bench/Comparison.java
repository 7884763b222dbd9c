package io.thinkloop.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two runs of one suite side by side. Trials are paired by (task, trial number), so the test is McNemar's on
 * paired outcomes: only pairs where exactly one run passed carry evidence, and under "the runs are equally good"
 * each such pair goes either way with probability 1/2. The exact two-sided binomial p-value is used because
 * agent suites are small (the chi-squared approximation is poor below ~25 discordant pairs).
 *
 * @param onlyA pairs that A passed and B failed
 * @param onlyB pairs that B passed and A failed
 * @param pValue exact two-sided McNemar p-value (1 when no pair is discordant)
 */
public record Comparison(
        List<TaskDelta> tasks,
        int pairs,
        int bothPassed,
        int onlyA,
        int onlyB,
        int bothFailed,
        double passRateA,
        double passRateB,
        double pValue) {

    /** One task in both runs: passes over trials in each (a task missing from a run has 0 trials there). */
    public record TaskDelta(String taskId, int difficulty, int trialsA, int passedA, int trialsB, int passedB) {
        public double rateA() {
            return trialsA == 0 ? 0 : (double) passedA / trialsA;
        }

        public double rateB() {
            return trialsB == 0 ? 0 : (double) passedB / trialsB;
        }

        public boolean differs() {
            return trialsA != trialsB || passedA != passedB;
        }
    }

    public static Comparison of(List<TrialResult> a, List<TrialResult> b) {
        Map<String, TrialResult> bByPair = new HashMap<>();
        b.forEach(r -> bByPair.put(r.taskId() + "#" + r.trial(), r));
        int pairs = 0, both = 0, onlyA = 0, onlyB = 0, neither = 0;
        for (TrialResult ra : a) {
            TrialResult rb = bByPair.get(ra.taskId() + "#" + ra.trial());
            if (rb == null) {
                continue;
            }
            pairs++;
            if (ra.passed() && rb.passed()) {
                both++;
            } else if (ra.passed()) {
                onlyA++;
            } else if (rb.passed()) {
                onlyB++;
            } else {
                neither++;
            }
        }
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Integer> difficulty = new HashMap<>();
        tally(a, counts, difficulty, 0);
        tally(b, counts, difficulty, 2);
        List<TaskDelta> tasks = new ArrayList<>();
        counts.forEach((id, c) -> tasks.add(new TaskDelta(id, difficulty.get(id), c[0], c[1], c[2], c[3])));
        return new Comparison(
                tasks,
                pairs,
                both,
                onlyA,
                onlyB,
                neither,
                Metrics.round(passRate(a)),
                Metrics.round(passRate(b)),
                Metrics.round(mcNemarExact(onlyA, onlyB)));
    }

    private static void tally(
            List<TrialResult> run, Map<String, int[]> counts, Map<String, Integer> difficulty, int column) {
        for (TrialResult r : run) {
            int[] c = counts.computeIfAbsent(r.taskId(), x -> new int[4]);
            c[column]++;
            c[column + 1] += r.passed() ? 1 : 0;
            difficulty.putIfAbsent(r.taskId(), r.difficulty());
        }
    }

    private static double passRate(List<TrialResult> run) {
        return run.isEmpty()
                ? 0
                : (double) run.stream().filter(TrialResult::passed).count() / run.size();
    }

    /** Two-sided exact McNemar: 2 · P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), capped at 1. */
    public static double mcNemarExact(int b, int c) {
        int n = b + c;
        if (n == 0) {
            return 1;
        }
        double tail = 0;
        double logHalfN = -n * Math.log(2);
        for (int i = 0; i <= Math.min(b, c); i++) {
            tail += Math.exp(logChoose(n, i) + logHalfN);
        }
        return Math.min(1, 2 * tail);
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }

    /** A plain-text view for the terminal: the verdict first, then the tasks whose outcomes differ. */
    public String toText(String nameA, String nameB) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(
                Locale.ROOT,
                "A = %s%nB = %s%npass rate A %.1f%%, B %.1f%% over %d paired trials%n"
                        + "both passed %d, only A %d, only B %d, both failed %d%n"
                        + "McNemar exact p = %.4f (%s)%n",
                nameA,
                nameB,
                passRateA * 100,
                passRateB * 100,
                pairs,
                bothPassed,
                onlyA,
                onlyB,
                bothFailed,
                pValue,
                pValue < 0.05 ? "the runs differ at the 5% level" : "no significant difference at the 5% level"));
        List<TaskDelta> differing = tasks.stream().filter(TaskDelta::differs).toList();
        t.append(differing.isEmpty() ? "no task's outcome differs\n" : "tasks whose outcome differs:\n");
        for (TaskDelta d : differing) {
            t.append(String.format(
                    Locale.ROOT,
                    "  %-40s level %d  A %d/%d  B %d/%d  %+.0f%%%n",
                    d.taskId(),
                    d.difficulty(),
                    d.passedA(),
                    d.trialsA(),
                    d.passedB(),
                    d.trialsB(),
                    (d.rateB() - d.rateA()) * 100));
        }
        return t.toString();
    }

    /** The same as one HTML page: the verdict and a table of every task with its difference highlighted. */
    public String toHtml(String nameA, String nameB) {
        StringBuilder h = new StringBuilder(8_192);
        h.append(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Thinkloop bench compare</title>"
                        + "<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l{text-align:left}"
                        + ".up{color:#16794a}.down{color:#b3261e}</style></head><body>\n<h1>Bench compare</h1>\n<pre>");
        h.append(HtmlReport.esc(toText(nameA, nameB).lines().limit(5).reduce("", (x, y) -> x + y + "\n")));
        h.append(
                "</pre>\n<table><tr><th>task</th><th>level</th><th>A passed</th><th>B passed</th><th>B − A</th></tr>\n");
        for (TaskDelta d : tasks) {
            double delta = d.rateB() - d.rateA();
            h.append("<tr><td class=\"l\">")
                    .append(HtmlReport.esc(d.taskId()))
                    .append("</td><td>")
                    .append(d.difficulty())
                    .append("</td><td>")
                    .append(d.passedA())
                    .append('/')
                    .append(d.trialsA())
                    .append("</td><td>")
                    .append(d.passedB())
                    .append('/')
                    .append(d.trialsB())
                    .append("</td><td class=\"")
                    .append(delta > 0 ? "up" : delta < 0 ? "down" : "")
                    .append("\">")
                    .append(String.format(Locale.ROOT, "%+.0f%%", delta * 100))
                    .append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }
}
