package io.thinkloop.bench;

import java.io.PrintStream;
import java.util.function.Consumer;

/** Terminal progress: a live bar redrawn in place when stdout is a TTY, plain lines otherwise (logs, CI). */
public final class ProgressPrinter implements Consumer<BenchRunner.Progress> {
    private final PrintStream out;
    private final boolean tty;
    private final long start = System.nanoTime();

    public ProgressPrinter(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    public static ProgressPrinter forStdout() {
        return new ProgressPrinter(
                System.out, System.console() != null && System.console().isTerminal());
    }

    @Override
    public synchronized void accept(BenchRunner.Progress p) {
        long secs = (System.nanoTime() - start) / 1_000_000_000L;
        if (tty) {
            int width = 30;
            int filled = p.total() == 0 ? width : (int) ((long) width * p.done() / p.total());
            out.print("\r\033[K[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + p.done() + "/" + p.total()
                    + " pass " + p.passed() + " infra " + p.infraErrors() + " " + secs + "s  " + abbreviate(p.last()));
            if (p.done() == p.total()) {
                out.println();
            }
        } else {
            out.println("bench: " + p.done() + "/" + p.total() + " done, " + p.passed() + " passed, " + p.infraErrors()
                    + " infrastructure errors, " + secs + "s: " + p.last());
        }
        out.flush();
    }

    /** Ends a bar line that is still open. */
    public void finish() {
        if (tty) {
            out.println();
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
