package io.thinkloop.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress of a run on stderr: step, a bar, train loss, the last eval loss, learning rate, tokens/s
 * and the estimated time left. On a terminal the line is redrawn in place (carriage return and erase to end of
 * line); into a file or pipe it prints plain lines every {@code plainEvery} steps and at the end, so logs stay
 * readable and short.
 */
public final class ProgressLine {
    private static final int BAR = 20;
    private final PrintStream out;
    private final boolean terminal;
    private final int plainEvery;
    private boolean drawn;

    public ProgressLine(PrintStream out, boolean terminal, int plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.plainEvery = Math.max(1, plainEvery);
    }

    /** Whether stderr is a terminal (the JVM knows only whether the console as a whole is interactive). */
    public static boolean stderrIsTerminal() {
        var c = System.console();
        return c != null && c.isTerminal();
    }

    /** Reports step {@code step} of {@code total}; {@code evalLoss} is NaN before the first eval. */
    public void update(
            int step, int total, double loss, double evalLoss, double lr, double tokensPerS, double etaSeconds) {
        String line = format(step, total, loss, evalLoss, lr, tokensPerS, etaSeconds);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
            drawn = true;
        } else if (step % plainEvery == 0 || step == total) {
            out.println(line);
        }
    }

    /** Prints a line of its own (an eval result, a checkpoint), without garbling the redrawn line. */
    public void note(String text) {
        if (terminal && drawn) {
            out.print("\r\u001b[K");
        }
        out.println(text);
        drawn = false;
    }

    /** Ends the redrawn line so that what follows starts on a new one. */
    public void finish() {
        if (terminal && drawn) {
            out.println();
            drawn = false;
        }
    }

    static String format(
            int step, int total, double loss, double evalLoss, double lr, double tokensPerS, double etaSeconds) {
        int filled = total == 0 ? BAR : (int) ((long) BAR * step / total);
        String bar = "#".repeat(filled) + ".".repeat(BAR - filled);
        String eval = Double.isNaN(evalLoss) ? "" : String.format(Locale.ROOT, "  eval %.4f", evalLoss);
        return String.format(
                Locale.ROOT,
                "step %d/%d [%s] loss %.4f%s  lr %.2e  %s tok/s  ETA %s",
                step,
                total,
                bar,
                loss,
                eval,
                lr,
                tokensPerS >= 100
                        ? String.format(Locale.ROOT, "%,.0f", tokensPerS)
                        : String.format(Locale.ROOT, "%.1f", tokensPerS),
                formatDuration(etaSeconds));
    }

    /** A duration as {@code 1h02m}, {@code 3m07s} or {@code 42s}. */
    public static String formatDuration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
