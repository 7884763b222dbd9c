package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (no script, font or image fetched) with the run's summary and
 * its curves drawn as inline SVG from {@code metrics.jsonl}: train and eval loss, learning rate, tokens/s. It is
 * rewritten at every checkpoint and at the end, so a long run can be watched from a browser.
 */
public final class TrainingReport {
    private static final int W = 720;
    private static final int H = 240;
    private static final int PAD_L = 64;
    private static final int PAD_R = 16;
    private static final int PAD_T = 16;
    private static final int PAD_B = 32;

    private TrainingReport() {}

    /** One line of a chart: its label, colour and (step, value) points. */
    record Series(String label, String color, List<double[]> points) {}

    public static void write(Path html, String title, Map<String, String> summary, List<JsonNode> metrics) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title))
                .append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}")
                .append("table{border-collapse:collapse}td{padding:2px 12px 2px 0}td:first-child{color:#666}")
                .append("svg{background:#fafafa;border:1px solid #ddd;margin:8px 0 24px}")
                .append(".axis{stroke:#999;stroke-width:1}.grid{stroke:#e4e4e4;stroke-width:1}")
                .append("text{font-size:11px;fill:#555}</style></head><body>\n<h1>")
                .append(esc(title))
                .append("</h1>\n<table>\n");
        for (Map.Entry<String, String> e : summary.entrySet()) {
            sb.append("<tr><td>")
                    .append(esc(e.getKey()))
                    .append("</td><td>")
                    .append(esc(e.getValue()))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
        sb.append("<h2>Loss</h2>\n")
                .append(chart(
                        "loss",
                        List.of(
                                new Series("train loss", "#1f77b4", points(metrics, "loss")),
                                new Series("eval loss", "#d62728", points(metrics, "eval_loss")))));
        sb.append("<h2>Learning rate</h2>\n")
                .append(chart("learning rate", List.of(new Series("lr", "#2ca02c", points(metrics, "lr")))));
        sb.append("<h2>Throughput</h2>\n")
                .append(chart("tokens/s", List.of(new Series("tokens/s", "#9467bd", points(metrics, "tokens_per_s")))));
        sb.append("</body></html>\n");
        try {
            Path tmp = html.resolveSibling(html.getFileName() + ".partial");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, html, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + html + ": " + e.getMessage(), e);
        }
    }

    static List<double[]> points(List<JsonNode> metrics, String field) {
        List<double[]> out = new ArrayList<>();
        for (JsonNode n : metrics) {
            JsonNode v = n.get(field);
            if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                out.add(new double[] {n.path("step").asDouble(), v.asDouble()});
            }
        }
        return out;
    }

    /** An SVG line chart of {@code series} with axes, 4 grid lines and a legend; "no data" when all are empty. */
    static String chart(String yLabel, List<Series> series) {
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                W,
                H,
                esc(yLabel)));
        if (x0 > x1) {
            sb.append("<text x=\"")
                    .append(W / 2 - 20)
                    .append("\" y=\"")
                    .append(H / 2)
                    .append("\">no data</text></svg>\n");
            return sb.toString();
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y1 == y0) {
            double d = Math.abs(y0) > 0 ? Math.abs(y0) * 0.05 : 1;
            y0 -= d;
            y1 += d;
        }
        int pw = W - PAD_L - PAD_R;
        int ph = H - PAD_T - PAD_B;
        for (int i = 0; i <= 4; i++) {
            double yv = y0 + (y1 - y0) * i / 4;
            double py = PAD_T + ph - ph * (double) i / 4;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    PAD_L,
                    py,
                    W - PAD_R,
                    py,
                    PAD_L - 4,
                    py + 4,
                    tick(yv)));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                        + "<text x=\"%d\" y=\"%d\">step %s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                PAD_L,
                PAD_T + ph,
                W - PAD_R,
                PAD_T + ph,
                PAD_L,
                H - 8,
                tick(x0),
                W - PAD_R,
                H - 8,
                tick(x1)));
        int legendX = PAD_L + 8;
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double px = PAD_L + pw * (p[0] - x0) / (x1 - x0);
                double py = PAD_T + ph - ph * (p[1] - y0) / (y1 - y0);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            sb.append("<polyline fill=\"none\" stroke=\"")
                    .append(s.color())
                    .append("\" stroke-width=\"1.5\" points=\"")
                    .append(pts.toString().trim())
                    .append("\"><title>")
                    .append(esc(s.label()))
                    .append("</title></polyline>");
            if (s.points().size() == 1) {
                double[] p = s.points().getFirst();
                sb.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                        PAD_L + pw * (p[0] - x0) / (x1 - x0),
                        PAD_T + ph - ph * (p[1] - y0) / (y1 - y0),
                        s.color()));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                    legendX,
                    PAD_T + 4,
                    s.color(),
                    legendX + 14,
                    PAD_T + 13,
                    esc(s.label())));
            legendX += 24 + 7 * s.label().length();
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-2 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : "%.3g", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
