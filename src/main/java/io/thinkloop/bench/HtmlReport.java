package io.thinkloop.bench;

import io.thinkloop.synth.SynthTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The run as one self-contained HTML page: figures, inline SVG charts (pass^k, success by difficulty, latency histogram), per-task table. */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(Metrics.Summary s, List<SynthTask> tasks, List<TrialResult> trials) {
        Metrics.Scores sc = s.scores();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Thinkloop bench: ")
                .append(esc(s.suite()))
                .append("</title>\n<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                        + "th{background:#f3f3f3}td.l{text-align:left}.pass{color:#16794a}.fail{color:#b3261e}"
                        + ".charts{display:flex;flex-wrap:wrap;gap:2em}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}"
                        + ".warn{background:#fff4e5;border:2px solid #d97706;padding:.6em 1em;max-width:60em;font-weight:600}"
                        + "dl.run{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{color:#555}dd{margin:0}"
                        + "</style></head><body>\n");
        h.append("<h1>Bench report: ").append(esc(s.suite())).append("</h1>\n");
        runInfo(h, s.run());
        h.append("<p>suiteVersion ")
                .append(s.suiteVersion())
                .append(" &middot; ")
                .append(s.tasksInSuite())
                .append(" tasks &times; ")
                .append(s.k())
                .append(" trials &middot; ")
                .append(sc.trials())
                .append(" scored, ")
                .append(s.pendingTrials())
                .append(" pending &middot; trial pass rate ")
                .append(pct((double) sc.passedTrials() / Math.max(1, sc.trials())))
                .append(" (95% CI ")
                .append(interval(sc.trialPassRate()))
                .append(")</p>\n");
        h.append("<table><tr><th>pass@1</th><th>pass^")
                .append(s.k())
                .append("</th><th>avg reward</th><th>tool calls / trial</th>"
                        + "<th>tool errors</th><th>TTFT p50</th><th>latency p50</th><th>latency p95</th><th>reasoning tokens</th>"
                        + "<th>answer tokens</th></tr><tr>");
        h.append(td(pct(sc.passAt1())))
                .append(td(pct(sc.passHatK().getOrDefault(s.k(), 0.0))))
                .append(td(fmt(sc.averageReward())))
                .append(td(fmt(sc.toolCallsPerTrial())))
                .append(td(Integer.toString(sc.toolErrors())))
                .append(td(s.timing().ttftP50Ms() + " ms"))
                .append(td(s.timing().latencyP50Ms() + " ms"))
                .append(td(s.timing().latencyP95Ms() + " ms"))
                .append(td(Long.toString(sc.reasoningTokens())))
                .append(td(Long.toString(sc.answerTokens())))
                .append("</tr></table>\n");
        h.append("<p>Terminations: ");
        sc.terminations()
                .forEach((k, v) -> h.append(esc(k)).append(" ").append(v).append(" &nbsp; "));
        h.append("</p>\n");
        h.append("<h2>By difficulty</h2>\n<table><tr><th>level</th><th>trials</th><th>passed</th><th>pass rate</th>"
                + "<th>95% CI (Wilson)</th></tr>\n");
        sc.levels()
                .forEach((level, l) -> h.append("<tr>")
                        .append(td(Integer.toString(level)))
                        .append(td(Integer.toString(l.trials())))
                        .append(td(Integer.toString(l.passed())))
                        .append(td(pct(l.rate())))
                        .append(td(interval(l.interval())))
                        .append("</tr>\n"));
        h.append("</table>\n<div class=\"charts\">\n");
        // pass^k curve
        Map<String, Double> curve = new LinkedHashMap<>();
        sc.passHatK().forEach((k, v) -> curve.put(Integer.toString(k), v));
        h.append("<figure><figcaption>pass^k</figcaption>")
                .append(lineChart(curve, "k (trials drawn)", "share of tasks"))
                .append("</figure>\n");
        Map<String, Double> diff = new LinkedHashMap<>();
        sc.successByDifficulty().forEach((d, v) -> diff.put("level " + d, v));
        h.append("<figure><figcaption>success by difficulty</figcaption>")
                .append(barChart(diff, true, "pass rate"))
                .append("</figure>\n");
        h.append("<figure><figcaption>latency histogram (ms)</figcaption>")
                .append(histogram(trials))
                .append("</figure>\n</div>\n");
        // per task
        h.append(
                "<h2>Tasks</h2>\n<table><tr><th>task</th><th>difficulty</th><th>passed</th><th>trials</th><th>tool errors</th>"
                        + "<th>terminations</th><th>first failure</th></tr>\n");
        for (SynthTask t : tasks) {
            List<TrialResult> rs =
                    trials.stream().filter(r -> r.taskId().equals(t.id())).toList();
            long c = rs.stream().filter(TrialResult::passed).count();
            String failure = rs.stream()
                    .filter(r -> !r.passed())
                    .findFirst()
                    .map(r -> r.failures().isEmpty()
                            ? r.termination()
                            : r.failures().getFirst())
                    .orElse("");
            h.append("<tr><td class=\"l\">")
                    .append(esc(t.id()))
                    .append("</td>")
                    .append(td(Integer.toString(t.difficulty())))
                    .append("<td class=\"")
                    .append(c == rs.size() && !rs.isEmpty() ? "pass" : "fail")
                    .append("\">")
                    .append(c)
                    .append("</td>")
                    .append(td(Integer.toString(rs.size())))
                    .append(td(Integer.toString(
                            rs.stream().mapToInt(TrialResult::toolErrors).sum())))
                    .append("<td class=\"l\">")
                    .append(esc(terminations(rs)))
                    .append("</td><td class=\"l\">")
                    .append(esc(failure))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    /** The run's model and settings; an untrained model gets a warning no reader can miss. */
    private static void runInfo(StringBuilder h, RunInfo run) {
        if (run == null) {
            h.append("<p>No run.json: backend and sampling settings unknown (a run from an older version).</p>\n");
            return;
        }
        if (Boolean.TRUE.equals(run.untrained())) {
            h.append("<p class=\"warn\" id=\"untrained\">Untrained model: the backend ran random weights, so these "
                            + "figures measure the harness, not an agent. ")
                    .append(esc(run.notice() == null ? "" : run.notice()))
                    .append("</p>\n");
        }
        h.append("<dl class=\"run\"><dt>service</dt><dd>")
                .append(esc(run.url()))
                .append("</dd><dt>backend</dt><dd>")
                .append(esc(run.backend() == null ? "(not reported by the service)" : run.backend()))
                .append(
                        run.untrained() == null
                                ? ""
                                : run.untrained() ? " &middot; untrained weights" : " &middot; trained checkpoint")
                .append("</dd>");
        if (run.checkpoint() != null) {
            h.append("<dt>checkpoint</dt><dd>").append(esc(run.checkpoint())).append("</dd>");
        }
        h.append("<dt>models offered</dt><dd>")
                .append(esc(String.join(", ", run.models())))
                .append("</dd><dt>sampling</dt><dd>")
                .append(esc(run.samplingLabel()))
                .append("</dd><dt>run seed</dt><dd>")
                .append(run.seed())
                .append("</dd></dl>\n");
    }

    private static String terminations(List<TrialResult> rs) {
        Map<String, Integer> counts = new TreeMap<>();
        rs.forEach(r -> counts.merge(r.termination(), 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) ->
                b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    private static String interval(Metrics.Interval i) {
        return pct(i.low()) + " – " + pct(i.high());
    }

    private static final int W = 390, H = 220, L = 62, B = 30, T = 14, R = 10;

    private static String frame(StringBuilder inner) {
        StringBuilder s = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W + "\" height=\""
                + H + "\" viewBox=\"0 0 " + W + " " + H + "\">");
        s.append(line(L, T, L, H - B)).append(line(L, H - B, W - R, H - B));
        return s.append(inner).append("</svg>").toString();
    }

    private static String yAxisLabel(String label) {
        return String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 10 %.1f)\">%s</text>",
                (H - B + T) / 2.0,
                (H - B + T) / 2.0,
                esc(label));
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return String.format(
                Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", x1, y1, x2, y2);
    }

    private static String text(double x, double y, String t, String anchor) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>",
                x,
                y,
                anchor,
                esc(t));
    }

    private static double y(double v) {
        return H - B - v * (H - B - T);
    }

    static String lineChart(Map<String, Double> points, String xLabel, String yLabel) {
        StringBuilder in = new StringBuilder();
        for (double v : new double[] {0, 0.5, 1}) {
            in.append(text(L - 4, y(v) + 4, pct(v), "end"));
        }
        List<String> xs = new ArrayList<>(points.keySet());
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < xs.size(); i++) {
            double x = L + 10 + (xs.size() == 1 ? 0 : i * (W - L - R - 20.0) / (xs.size() - 1));
            double yy = y(points.get(xs.get(i)));
            path.append(path.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, yy));
            in.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f6feb\"/>", x, yy));
            in.append(text(x, H - B + 14, xs.get(i), "middle"));
        }
        in.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\"/>");
        in.append(text((W + L) / 2.0, H - 4, xLabel, "middle"));
        return frame(in.append(yAxisLabel(yLabel)));
    }

    static String barChart(Map<String, Double> bars, boolean fraction, String yLabel) {
        StringBuilder in = new StringBuilder();
        double max = fraction
                ? 1
                : Math.max(
                        1,
                        bars.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .max()
                                .orElse(1));
        in.append(text(L - 4, y(1) + 4, fraction ? "100%" : fmt(max), "end")).append(text(L - 4, y(0) + 4, "0", "end"));
        int n = Math.max(1, bars.size());
        double slot = (W - L - R) / (double) n;
        int i = 0;
        for (var e : bars.entrySet()) {
            double v = e.getValue() / max;
            double x = L + i * slot + slot * 0.15;
            in.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2da44e\"/>",
                    x,
                    y(v),
                    slot * 0.7,
                    (H - B) - y(v)));
            in.append(text(x + slot * 0.35, y(v) - 3, fraction ? pct(e.getValue()) : fmt(e.getValue()), "middle"));
            in.append(text(x + slot * 0.35, H - B + 14, e.getKey(), "middle"));
            i++;
        }
        return frame(in.append(yAxisLabel(yLabel)));
    }

    static String histogram(List<TrialResult> trials) {
        long max = trials.stream().mapToLong(TrialResult::latencyMs).max().orElse(0);
        int bins = 10;
        long width = Math.max(1, (max + bins) / bins);
        Map<String, Double> counts = new LinkedHashMap<>();
        for (int b = 0; b < bins; b++) {
            long lo = b * width;
            long hi = lo + width;
            counts.put(Long.toString(lo), (double) trials.stream()
                    .filter(r -> r.latencyMs() >= lo && r.latencyMs() < hi)
                    .count());
        }
        return barChart(counts, false, "trials");
    }

    private static String td(String s) {
        return "<td>" + s + "</td>";
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    /** Counts print as integers, other values with two decimals. */
    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
