package io.thinkloop.cli;

import io.thinkloop.cli.perf.Measure;
import io.thinkloop.cli.perf.Measure.Spread;
import io.thinkloop.engine.kernel.Bf16Matrix;
import io.thinkloop.engine.kernel.F32Matrix;
import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.engine.kernel.Fp8Matrix;
import io.thinkloop.engine.kernel.Gemm;
import io.thinkloop.engine.kernel.Matrix;
import io.thinkloop.engine.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf gemm}: the dense GEMM (the trainer's three products) and prefill's weight GEMM as a
 * share of this machine's FMA peak, the peak measured in a burst right before each timed figure, so that
 * load from other processes lowers both alike. Figures are medians over rounds with their min–max spread;
 * the weight GEMM is timed against the row-wise kernel it replaced in alternating rounds (ratio = median of
 * per-round ratios).
 */
@Command(
        name = "gemm",
        mixinStandardHelpOptions = true,
        description = "GEMM GFLOP/s as a share of the measured FMA peak; blocked vs row-wise weight GEMM (prefill).")
public final class GemmPerfCommand implements Callable<Integer> {
    @Option(names = "--threads", description = "Threads (default: available processors).")
    Integer threads;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "512x256x1024,256x1024x512",
            description = "Dense GEMM sizes MxNxK (default ${DEFAULT-VALUE}).")
    String[] sizes;

    @Option(
            names = "--weights",
            defaultValue = "2048x2048",
            description = "Weight matrix ROWSxCOLS of the prefill kernel (default ${DEFAULT-VALUE}).")
    String weights;

    @Option(
            names = "--tokens",
            defaultValue = "64",
            description = "Tokens of the prefill kernel (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--rounds", defaultValue = "9", description = "Timed rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        System.out.printf(
                "gemm perf: %d threads, vector species %s, load average at start: %s%n",
                n, FloatVector.SPECIES_PREFERRED, loadAverage());
        try (WorkerPool pool = new WorkerPool(n)) {
            Measure.warmFmaPeak();
            for (String size : sizes) {
                int[] d = dims(size, 3);
                dense(pool, d[0], d[1], d[2]);
            }
            int[] w = dims(weights, 2);
            weightGemm(pool, w[0], w[1]);
        }
        System.out.printf("load average at end: %s%n", loadAverage());
        return 0;
    }

    private void dense(WorkerPool pool, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = random(r, m * k);
        float[] b = random(r, n * k);
        float[] c = new float[m * n];
        String[] names = {"mulABt (forward)", "mulAB (input grad)", "mulAtB (weight grad)"};
        LongSupplier[] bodies = {
            () -> {
                Gemm.mulABt(a, b, c, m, n, k, false, pool);
                return Float.floatToRawIntBits(c[0]);
            },
            () -> {
                Gemm.mulAB(a, b, c, m, n, k, false, pool);
                return Float.floatToRawIntBits(c[0]);
            },
            () -> {
                Gemm.mulAtB(a, b, c, m, n, k, false, pool);
                return Float.floatToRawIntBits(c[0]);
            }
        };
        double flops = 2.0 * m * n * k;
        long warm = 0;
        for (LongSupplier body : bodies) {
            warm += Measure.warmUntilStable(body, 3000);
        }
        double[] peak = new double[rounds];
        double[][] gflops = new double[bodies.length][rounds];
        double[][] share = new double[bodies.length][rounds];
        for (int round = 0; round < rounds; round++) {
            peak[round] = Measure.fmaPeak(pool, 50);
            for (int s = 0; s < bodies.length; s++) {
                gflops[s][round] = flops / Measure.nanosPerCall(bodies[s], 50);
                share[s][round] = gflops[s][round] / peak[round];
            }
        }
        Spread p = Spread.of(peak);
        System.out.printf(
                "dense GEMM %dx%dx%d (warm-up %d ms); FMA peak %s GFLOP/s, measured before each round%n",
                m, n, k, warm, p.format("%.1f"));
        for (int s = 0; s < bodies.length; s++) {
            Spread g = Spread.of(gflops[s]);
            Spread sh = Spread.of(share[s]);
            System.out.printf(
                    "  %-22s %s GFLOP/s = %.0f%% (%.0f–%.0f%%) of FMA peak; best %.1f = %.0f%% of best peak%s%n",
                    names[s],
                    g.format("%.1f"),
                    100 * sh.median(),
                    100 * sh.min(),
                    100 * sh.max(),
                    g.max(),
                    100 * g.max() / p.max(),
                    sh.median() >= 0.6 ? "" : "  (target >= 60%)");
        }
    }

    private void weightGemm(WorkerPool pool, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment f32 = arena.allocate(4L * rows * cols, 64);
            MemorySegment bf16 = arena.allocate(2L * rows * cols, 64);
            MemorySegment fp8 = arena.allocate((long) rows * cols, 64);
            for (long i = 0; i < (long) rows * cols; i++) {
                float v = (float) r.nextGaussian() * 0.05f;
                f32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, v);
                bf16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, (short)
                        (Float.floatToRawIntBits(v) >>> 16));
                fp8.set(ValueLayout.JAVA_BYTE, i, Fp8.encode(Fp8.round(v * 4096)));
            }
            float[] scales = new float[((rows + 127) / 128) * ((cols + 127) / 128)];
            Arrays.fill(scales, 1f / 4096);
            Matrix[] ms = {
                new F32Matrix(f32, rows, cols),
                new Bf16Matrix(bf16, rows, cols),
                new Fp8Matrix(fp8, rows, cols, scales, 128, 128)
            };
            float[][] xs = new float[tokens][cols];
            for (float[] x : xs) {
                for (int i = 0; i < cols; i++) {
                    x[i] = (float) r.nextGaussian();
                }
            }
            float[][] ys = new float[tokens][rows];
            double flops = 2.0 * rows * cols * tokens;
            System.out.printf(
                    "prefill weight GEMM %dx%d x %d tokens: blocked vs row-wise (alternating rounds)%n",
                    rows, cols, tokens);
            for (Matrix m : ms) {
                int tile = Matrix.MATMUL_ROW_TILE;
                int tiles = (rows + tile - 1) / tile;
                LongSupplier blocked = () -> {
                    pool.parallelFor(tiles, 1, (a, b) -> m.matmul(xs, ys, tokens, tile * a, Math.min(rows, tile * b)));
                    return Float.floatToRawIntBits(ys[0][0]);
                };
                LongSupplier rowwise = () -> {
                    pool.parallelFor(rows, 4, (a, b) -> m.matmulRowwise(xs, ys, tokens, a, b));
                    return Float.floatToRawIntBits(ys[0][0]);
                };
                Measure.warmUntilStable(blocked, 3000);
                Measure.warmUntilStable(rowwise, 3000);
                double[] peak = new double[rounds];
                double[] gBlocked = new double[rounds];
                double[] gRowwise = new double[rounds];
                double[] ratio = new double[rounds];
                double[] share = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    peak[round] = Measure.fmaPeak(pool, 50);
                    gBlocked[round] = flops / Measure.nanosPerCall(blocked, 60);
                    gRowwise[round] = flops / Measure.nanosPerCall(rowwise, 60);
                    ratio[round] = gBlocked[round] / gRowwise[round];
                    share[round] = gBlocked[round] / peak[round];
                }
                Spread sh = Spread.of(share);
                System.out.printf(
                        "  %-10s blocked %s GFLOP/s = %.0f%% (%.0f–%.0f%%) of FMA peak %s (best %.0f%% of best);"
                                + " row-wise %s GFLOP/s; blocked/row-wise %s x%n",
                        m.getClass().getSimpleName(),
                        Spread.of(gBlocked).format("%.1f"),
                        100 * sh.median(),
                        100 * sh.min(),
                        100 * sh.max(),
                        Spread.of(peak).format("%.1f"),
                        100 * Spread.of(gBlocked).max() / Spread.of(peak).max(),
                        Spread.of(gRowwise).format("%.1f"),
                        Spread.of(ratio).format("%.2f"));
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static int[] dims(String spec, int count) {
        String[] parts = spec.toLowerCase().split("x");
        if (parts.length != count) {
            throw new IllegalArgumentException("expected " + count + " sizes joined by 'x': " + spec);
        }
        int[] d = new int[count];
        for (int i = 0; i < count; i++) {
            d[i] = Integer.parseInt(parts[i].trim());
            if (d[i] <= 0) {
                throw new IllegalArgumentException("sizes must be positive: " + spec);
            }
        }
        return d;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
