package io.thinkloop.cli.perf;

import io.thinkloop.engine.kernel.WorkerPool;
import java.util.Arrays;
import java.util.function.LongSupplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Median, minimum and maximum of a set of samples (a figure with its spread). */
    public record Spread(double median, double min, double max) {
        public static Spread of(double[] samples) {
            double[] s = samples.clone();
            Arrays.sort(s);
            return new Spread(s[s.length / 2], s[0], s[s.length - 1]);
        }

        /** {@code "median (min–max)"} with the given number format, e.g. {@code "%.1f"}. */
        public String format(String number) {
            return String.format(number + " (" + number + "–" + number + ")", median, min, max);
        }
    }

    /**
     * One burst of independent FMA chains on every thread of the pool for about {@code millis}: the
     * machine's multiply-add peak right now, in GFLOP/s. Ten chains per thread cover the FMA latency of
     * two pipes; the inner loop is JIT-compiled by {@link #warmFmaPeak} before the first burst counts.
     */
    public static double fmaPeak(WorkerPool pool, long millis) {
        int threads = pool.threads();
        long[] iters = new long[threads];
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long t0 = System.nanoTime();
        pool.parallelFor(threads, 1, (a, b) -> {
            for (int t = a; t < b; t++) {
                long n = 0;
                do {
                    sink += Float.floatToRawIntBits(fmaChains(20_000));
                    n += 20_000;
                } while (System.nanoTime() < deadline);
                iters[t] = n;
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        long total = Arrays.stream(iters).sum();
        return 2.0 * 10 * F.length() * total / secs / 1e9;
    }

    /** Compiles the FMA burst's loop so that the first measured burst is not interpreted. */
    public static void warmFmaPeak() {
        for (int i = 0; i < 20_000; i++) {
            sink += Float.floatToRawIntBits(fmaChains(500));
        }
    }

    private static float fmaChains(int iters) {
        FloatVector x = FloatVector.broadcast(F, 0.999f);
        FloatVector y = FloatVector.broadcast(F, 0.0001f);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
        FloatVector a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        for (int i = 0; i < iters; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5.add(a6).add(a7).add(a8).add(a9))
                .reduceLanes(VectorOperators.ADD);
    }

    /**
     * Runs {@code body} in batches of about 20 ms until three consecutive batches agree within 3% per
     * call (the JIT has settled) or {@code maxMillis} has passed; returns the milliseconds spent. On a
     * loaded machine the cap ends it: the caller says so rather than hiding it.
     */
    public static long warmUntilStable(LongSupplier body, long maxMillis) {
        long start = System.nanoTime();
        long end = start + maxMillis * 1_000_000L;
        double[] last = new double[3];
        int seen = 0;
        long acc = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            long calls = 0;
            do {
                acc += body.getAsLong();
                calls++;
            } while (System.nanoTime() - t0 < 20_000_000L);
            last[seen % 3] = (double) (System.nanoTime() - t0) / calls;
            seen++;
            if (seen >= 3) {
                double lo = Math.min(last[0], Math.min(last[1], last[2]));
                double hi = Math.max(last[0], Math.max(last[1], last[2]));
                if (hi <= lo * 1.03) {
                    break;
                }
            }
        }
        sink += acc;
        return (System.nanoTime() - start) / 1_000_000L;
    }

    /** Nanoseconds per call of {@code body}, repeated for at least {@code millis}. */
    public static double nanosPerCall(LongSupplier body, long millis) {
        long acc = 0;
        long calls = 0;
        long t0 = System.nanoTime();
        long now;
        do {
            acc += body.getAsLong();
            calls++;
            now = System.nanoTime();
        } while (now - t0 < millis * 1_000_000L);
        sink += acc;
        return (double) (now - t0) / calls;
    }
}
