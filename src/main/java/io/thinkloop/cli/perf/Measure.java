package io.thinkloop.cli.perf;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Times a body: runs it for a warm-up period (so the JIT has compiled it), then for several rounds, and
 * reports the median time per call. The body returns a value that is folded into a sink so the JIT cannot
 * drop the work.
 */
public final class Measure {
    private static volatile long sink;

    private Measure() {}

    /** Time per call of a measured body. */
    public record Timing(String label, long calls, double nanosPerCall) {
        public double callsPerSecond() {
            return 1e9 / nanosPerCall;
        }

        /** Throughput when each call processes {@code bytesPerCall} bytes, in MB/s (10^6 bytes). */
        public double megabytesPerSecond(long bytesPerCall) {
            return bytesPerCall / nanosPerCall * 1e3;
        }
    }

    /** Two timings taken in alternating rounds, and the median of their per-round ratios (b / a). */
    public record Comparison(Timing a, Timing b, double ratio) {}

    /**
     * Times a baseline {@code a} and a candidate {@code b} side by side: both warm up, then rounds alternate
     * between them, so load from other processes affects both alike; the ratio is the median of the
     * per-round ratios b/a.
     */
    public static Comparison compare(
            String labelA,
            LongSupplier a,
            String labelB,
            LongSupplier b,
            long warmupMillis,
            int rounds,
            long roundMillis) {
        long acc = 0;
        long warmEnd = System.nanoTime() + warmupMillis * 1_000_000L;
        while (System.nanoTime() < warmEnd) {
            acc += a.getAsLong() + b.getAsLong();
        }
        double[] perA = new double[rounds];
        double[] perB = new double[rounds];
        double[] ratios = new double[rounds];
        long callsA = 0;
        long callsB = 0;
        for (int r = 0; r < rounds; r++) {
            long[] ca = new long[1];
            perA[r] = round(a, roundMillis, ca);
            long[] cb = new long[1];
            perB[r] = round(b, roundMillis, cb);
            callsA += ca[0];
            callsB += cb[0];
            ratios[r] = perB[r] / perA[r];
        }
        sink += acc;
        Arrays.sort(perA);
        Arrays.sort(perB);
        Arrays.sort(ratios);
        return new Comparison(
                new Timing(labelA, callsA, perA[rounds / 2]),
                new Timing(labelB, callsB, perB[rounds / 2]),
                ratios[rounds / 2]);
    }

    private static double round(LongSupplier body, long roundMillis, long[] calls) {
        long acc = 0;
        long n = 0;
        long start = System.nanoTime();
        long deadline = start + roundMillis * 1_000_000L;
        long now;
        do {
            acc += body.getAsLong();
            n++;
            now = System.nanoTime();
        } while (now < deadline);
        sink += acc;
        calls[0] = n;
        return (double) (now - start) / n;
    }

    /** Warm up for {@code warmupMillis}, then measure {@code rounds} rounds of at least {@code roundMillis} each. */
    public static Timing time(String label, long warmupMillis, int rounds, long roundMillis, LongSupplier body) {
        long acc = 0;
        long warmEnd = System.nanoTime() + warmupMillis * 1_000_000L;
        while (System.nanoTime() < warmEnd) {
            acc += body.getAsLong();
        }
        double[] perCall = new double[rounds];
        long total = 0;
        for (int r = 0; r < rounds; r++) {
            long calls = 0;
            long start = System.nanoTime();
            long deadline = start + roundMillis * 1_000_000L;
            long now;
            do {
                acc += body.getAsLong();
                calls++;
                now = System.nanoTime();
            } while (now < deadline);
            perCall[r] = (double) (now - start) / calls;
            total += calls;
        }
        sink += acc;
        Arrays.sort(perCall);
        return new Timing(label, total, perCall[rounds / 2]);
    }
}
