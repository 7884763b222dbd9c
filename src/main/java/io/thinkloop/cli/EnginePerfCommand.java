package io.thinkloop.cli;

import io.thinkloop.cli.perf.Measure;
import io.thinkloop.engine.AttentionMode;
import io.thinkloop.engine.EngineBenchmarks;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.engine.checkpoint.DType;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import io.thinkloop.engine.kernel.Bf16Matrix;
import io.thinkloop.engine.kernel.F32Matrix;
import io.thinkloop.engine.kernel.Fp8Matrix;
import io.thinkloop.engine.kernel.Matrix;
import io.thinkloop.engine.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf engine}: the engine's kernels and decode speed against this machine's
 * measured memory bandwidth and FMA peak, and DSA against dense attention at growing contexts.
 */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        description =
                "Engine benchmark: bandwidth/FMA baselines, matvec and matmul kernels, decode tokens/s, DSA vs dense attention.")
public final class EnginePerfCommand implements Callable<Integer> {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Option(names = "--threads", description = "Threads (default: available processors).")
    Integer threads;

    @Option(
            names = "--buffer-mb",
            defaultValue = "1024",
            description = "Size of the bandwidth/matvec buffer in MiB (default ${DEFAULT-VALUE}).")
    int bufferMb;

    @Option(
            names = "--contexts",
            split = ",",
            defaultValue = "1024,4096,16384,65536",
            description = "Attention contexts.")
    int[] contexts;

    @Option(
            names = "--layers",
            defaultValue = "4",
            description = "Layers of the synthetic decode model (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--baseline",
            defaultValue = "rowwise",
            description = "Prefill baseline timed side by side with the blocked weight GEMM: rowwise (the kernel it "
                    + "replaced) or none (default ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--skip-decode", description = "Skip the synthetic-model decode benchmark.")
    boolean skipDecode;

    @Option(
            names = "--keep-checkpoint",
            description = "Keep the synthetic checkpoint (~600 MB) under the temp directory for the "
                    + "next run instead of removing it at the end.")
    boolean keepCheckpoint;

    @Override
    public Integer call() throws Exception {
        try {
            return measure();
        } finally {
            if (!keepCheckpoint) {
                TempFiles.deleteTree(syntheticPath());
            }
        }
    }

    private Integer measure() throws Exception {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        System.out.printf("engine perf: %d threads, vector species %s (%d floats)%n", n, F, F.length());
        try (WorkerPool pool = new WorkerPool(n);
                Arena arena = Arena.ofShared()) {
            long bytes = (long) bufferMb << 20;
            MemorySegment buf = arena.allocate(bytes, 64);
            fillFloats(buf, 1);
            System.out.printf("load average at start: %s%n", loadAverage());
            Measure.warmFmaPeak();
            double[] peaks = new double[5];
            for (int i = 0; i < peaks.length; i++) {
                peaks[i] = Measure.fmaPeak(pool, 100);
            }
            Measure.Spread peakSpread = Measure.Spread.of(peaks);
            System.out.printf(
                    "FMA peak (%d threads): %s GFLOP/s (median, min–max of %d bursts)%n",
                    n, peakSpread.format("%.1f"), peaks.length);

            // Each kernel is measured in rounds alternating with the bandwidth baseline over the same
            // buffer, so that load from other processes affects both alike; best of each.
            int cols = 8192;
            Matrix f32 = new F32Matrix(buf, (int) (bytes / 4 / cols), cols);
            double[] r = versusBandwidth(pool, buf, f32);
            double bw = r[1];
            lastBandwidth = bw;
            System.out.printf("memory bandwidth (vector sum over %d MiB): %.1f GB/s%n", bufferMb, bw);
            System.out.printf(
                    "f32 matvec %dx%d: %.1f GB/s = %.0f%% of bandwidth (target >= 80%%)%s%n",
                    f32.rows(), cols, r[0], 100 * r[0] / bw, r[0] >= 0.8 * bw ? "" : "  MISSED");

            fillBf16(buf);
            Matrix bf16 = new Bf16Matrix(buf, (int) (bytes / 2 / cols), cols);
            r = versusBandwidth(pool, buf, bf16);
            System.out.printf(
                    "bf16 matvec %dx%d: %.2f G weights/s, %.1f GB/s = %.0f%% of bandwidth (%.1f GB/s alongside)%n",
                    bf16.rows(), cols, r[0] / 2, r[0], 100 * r[0] / r[1], r[1]);

            fillFp8(buf);
            int fr = (int) (bytes / cols);
            float[] scales = new float[((fr + 127) / 128) * (cols / 128)];
            Arrays.fill(scales, 0x1p-8f);
            Matrix fp8 = new Fp8Matrix(buf, fr, cols, scales, 128, 128);
            r = versusBandwidth(pool, buf, fp8);
            double gw = r[0]; // one byte per weight
            System.out.printf(
                    "fp8 matvec %dx%d: %.2f G weights/s (target >= 10), %.1f GB/s = %.0f%% of bandwidth (%.1f GB/s alongside)%s%n",
                    fr, cols, gw, r[0], 100 * r[0] / r[1], r[1], gw >= 10 ? "" : "  MISSED");

            // The same kernels on matrices that stay in cache: their compute rate, apart from memory.
            for (Matrix small : new Matrix[] {
                new F32Matrix(buf, 128, cols),
                new Bf16Matrix(buf, 256, cols),
                new Fp8Matrix(buf, 256, cols, scales, 128, 128)
            }) {
                if (small instanceof F32Matrix) {
                    fillFloats(buf.asSlice(0, 4L * 128 * cols), 3);
                } else if (small instanceof Bf16Matrix) {
                    fillBf16(buf.asSlice(0, 2L * 256 * cols));
                } else {
                    fillFp8(buf.asSlice(0, 256L * cols));
                }
                float[] x = new float[cols];
                Arrays.fill(x, 0.25f);
                float[] y = new float[small.rows()];
                double bestS = Double.MAX_VALUE;
                for (int i = 0; i < 400; i++) {
                    long t0 = System.nanoTime();
                    pool.parallelFor(small.rows(), 8, (a, b) -> small.matvec(x, y, a, b));
                    bestS = Math.min(bestS, (System.nanoTime() - t0) / 1e9);
                }
                System.out.printf(
                        "  in-cache %s %dx%d matvec: %.1f G weights/s%n",
                        small.getClass().getSimpleName(),
                        small.rows(),
                        cols,
                        (double) small.rows() * cols / bestS / 1e9);
            }

            // matmul (prefill): a 4096x4096 f32 block times 64 token rows
            fillFloats(buf, 2);
            Matrix mm = new F32Matrix(buf, 4096, 4096);
            int tokens = 64;
            float[][] xs = new float[tokens][4096];
            float[][] ys = new float[tokens][4096];
            for (float[] x : xs) {
                Arrays.fill(x, 0.5f);
            }
            double[] mmShare = new double[5];
            double[] mmGflops = new double[5];
            double flopsMm = 2.0 * 4096 * 4096 * tokens;
            for (int w = 0; w < 3; w++) {
                pool.parallelFor(512, 2, (a, b) -> mm.matmul(xs, ys, tokens, 8 * a, 8 * b));
            }
            for (int i = 0; i < mmShare.length; i++) {
                double pk = Measure.fmaPeak(pool, 50);
                long t0 = System.nanoTime();
                pool.parallelFor(512, 2, (a, b) -> mm.matmul(xs, ys, tokens, 8 * a, 8 * b));
                mmGflops[i] = flopsMm / (System.nanoTime() - t0);
                mmShare[i] = mmGflops[i] / pk;
            }
            Measure.Spread mmS = Measure.Spread.of(mmShare);
            System.out.printf(
                    "f32 matmul 4096x4096 x %d tokens: %s GFLOP/s = %.0f%% (%.0f–%.0f%%) of the FMA peak measured before"
                            + " each run (see perf gemm)%n",
                    tokens,
                    Measure.Spread.of(mmGflops).format("%.1f"),
                    100 * mmS.median(),
                    100 * mmS.min(),
                    100 * mmS.max());
        }

        Path dir = syntheticDir();
        if (!skipDecode) {
            try (Model m = Model.load(dir, n);
                    WorkerPool probe = new WorkerPool(n);
                    Arena arena = Arena.ofShared()) {
                MemorySegment bwBuf = arena.allocate(256L << 20, 64);
                fillFloats(bwBuf, 4);
                int[] prompt = new int[64];
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = 1000 + i * 7;
                }
                prefillAndDecode(m, probe, bwBuf, prompt);
            }
        }
        try (Model m = Model.load(dir, n)) {
            System.out.printf(
                    "attention layer per decoded token (heads %d, kv_lora %d, index heads %d, top-k %d):%n",
                    m.config().numAttentionHeads(),
                    m.config().kvLoraRank(),
                    m.config().indexNHeads(),
                    m.config().indexTopk());
            // Warm both paths up (JIT) before measuring, and alternate the modes so that load from
            // other processes hits both alike; each figure is the fastest of its runs.
            for (int w = 0; w < 3; w++) {
                EngineBenchmarks.attentionMillis(m, 4096, AttentionMode.SPARSE, 10, 1);
                EngineBenchmarks.attentionMillis(m, 4096, AttentionMode.DENSE, 10, 1);
            }
            for (int ctx : contexts) {
                int iters = ctx >= 32768 ? 4 : 8;
                double dsa = Double.MAX_VALUE;
                double dense = Double.MAX_VALUE;
                for (int round = 0; round < 3; round++) {
                    dsa = Math.min(dsa, EngineBenchmarks.attentionMillis(m, ctx, AttentionMode.SPARSE, iters, 1));
                    dense = Math.min(dense, EngineBenchmarks.attentionMillis(m, ctx, AttentionMode.DENSE, iters, 1));
                }
                String target = ctx == 16384 ? " (target >= 3x)" : ctx == 65536 ? " (target >= 8x)" : "";
                boolean miss = (ctx == 16384 && dense / dsa < 3) || (ctx == 65536 && dense / dsa < 8);
                System.out.printf(
                        "  context %6d: DSA %8.2f ms, dense %8.2f ms, DSA is %.1fx faster%s%s%n",
                        ctx, dsa, dense, dense / dsa, target, miss ? "  MISSED" : "");
            }
        }
        System.out.printf("load average at end: %s%n", loadAverage());
        return 0;
    }

    /** One warm prefill of {@code prompt} on a fresh state, in seconds (the state is discarded). */
    private static double prefillSeconds(Model m, int[] prompt) {
        InferenceState s = m.newState(prompt.length + 8);
        long t0 = System.nanoTime();
        m.prefill(s, prompt);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Prefill tokens/s, warm (the first, cold prefills only warm up the JIT until consecutive ones agree),
     * blocked against the row-wise baseline in alternating rounds with an FMA-peak burst before each pair;
     * then decode tokens/s with a read-bandwidth burst before each timed stretch. Every figure is a median
     * with its min–max spread.
     */
    private void prefillAndDecode(Model m, WorkerPool probe, MemorySegment bwBuf, int[] prompt) {
        Measure.warmFmaPeak();
        long warmStart = System.nanoTime();
        double prev = Double.MAX_VALUE;
        int warmRuns = 0;
        boolean withBaseline = !baseline.equals("none");
        if (withBaseline && !baseline.equals("rowwise")) {
            throw new IllegalArgumentException("--baseline must be rowwise or none: " + baseline);
        }
        for (boolean rowwise : withBaseline ? new boolean[] {false, true} : new boolean[] {false}) {
            m.useRowwiseMatmul(rowwise);
            prev = Double.MAX_VALUE;
            for (int i = 0; i < 30; i++) {
                double t = prefillSeconds(m, prompt);
                warmRuns++;
                if (i >= 3 && Math.abs(t - prev) <= 0.05 * prev) {
                    break;
                }
                prev = t;
            }
        }
        double warmS = (System.nanoTime() - warmStart) / 1e9;
        int rounds = 7;
        double[] blocked = new double[rounds];
        double[] rowwise = new double[rounds];
        double[] ratio = new double[rounds];
        double[] peak = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            peak[r] = Measure.fmaPeak(probe, 50);
            m.useRowwiseMatmul(false);
            blocked[r] = prompt.length / prefillSeconds(m, prompt);
            if (withBaseline) {
                m.useRowwiseMatmul(true);
                rowwise[r] = prompt.length / prefillSeconds(m, prompt);
                ratio[r] = blocked[r] / rowwise[r];
            }
        }
        m.useRowwiseMatmul(false);
        System.out.printf(
                "synthetic FP8 model (%s), %d threads, warm prefill of %d tokens (%d warm-up prefills, %.1f s):%n",
                describe(m.config()), m.threads(), prompt.length, warmRuns, warmS);
        if (withBaseline) {
            System.out.printf(
                    "  prefill blocked %s tokens/s, row-wise baseline %s tokens/s, blocked/row-wise %s x"
                            + " (FMA peak %s GFLOP/s before each pair)%n",
                    Measure.Spread.of(blocked).format("%.1f"),
                    Measure.Spread.of(rowwise).format("%.1f"),
                    Measure.Spread.of(ratio).format("%.2f"),
                    Measure.Spread.of(peak).format("%.1f"));
        } else {
            System.out.printf(
                    "  prefill %s tokens/s (FMA peak %s GFLOP/s before each run)%n",
                    Measure.Spread.of(blocked).format("%.1f"),
                    Measure.Spread.of(peak).format("%.1f"));
        }
        InferenceState s = m.newState(prompt.length + 8 * 64 + 8);
        float[] logits = m.prefill(s, prompt);
        int steps = 8;
        double[] tokS = new double[rounds];
        double[] bw = new double[rounds];
        double[] share = new double[rounds];
        for (int i = 0; i < 8; i++) { // warm-up
            logits = m.decode(s, argmax(logits));
        }
        for (int r = 0; r < rounds; r++) {
            bw[r] = sumBandwidth(probe, bwBuf);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                logits = m.decode(s, argmax(logits));
            }
            double perTok = (System.nanoTime() - t0) / 1e9 / steps;
            tokS[r] = 1 / perTok;
            share[r] = m.weightBytesPerToken() / perTok / 1e9 / bw[r];
        }
        Measure.Spread sh = Measure.Spread.of(share);
        System.out.printf(
                "  decode %s tokens/s, %.1f MB weights/token = %.0f%% (%.0f–%.0f%%) of the read bandwidth"
                        + " %s GB/s measured before each stretch of %d tokens%n",
                Measure.Spread.of(tokS).format("%.2f"),
                m.weightBytesPerToken() / 1e6,
                100 * sh.median(),
                100 * sh.min(),
                100 * sh.max(),
                Measure.Spread.of(bw).format("%.1f"),
                steps);
    }

    private static String describe(ModelConfig c) {
        return String.format(
                "hidden %d, %d layers, %d heads, %d experts top-%d, vocab %d",
                c.hiddenSize(),
                c.numHiddenLayers(),
                c.numAttentionHeads(),
                c.nRoutedExperts(),
                c.numExpertsPerTok(),
                c.vocabSize());
    }

    private Path syntheticPath() {
        return Path.of(System.getProperty("java.io.tmpdir"), "thinkloop-perf-dsv32-h2048-l" + layers + "-fp8-seed7");
    }

    /** The synthetic checkpoint, written once per shape and seed under the temp directory (removed at the end unless kept). */
    private Path syntheticDir() {
        ModelConfig c = SyntheticCheckpoint.config(32768, 2048, layers, 16, 8, 32, 6, 1408, 10944, 2048, 65536);
        Path dir = syntheticPath();
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            long t0 = System.nanoTime();
            SyntheticCheckpoint.write(dir, c, 7, DType.F8_E4M3);
            System.out.printf("wrote synthetic checkpoint %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
        }
        return dir;
    }

    private static double lastBandwidth;

    private interface Run {
        double run();
    }

    private static double best(int runs, Run m) {
        double b = 0;
        for (int i = 0; i < runs; i++) {
            b = Math.max(b, m.run());
        }
        lastBandwidth = Math.max(lastBandwidth, b);
        return b;
    }

    private static double best(int runs, Run m, boolean minimum) {
        double b = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            b = Math.min(b, m.run());
        }
        return b;
    }

    /** {best matvec GB/s, best bandwidth GB/s} over alternating rounds. */
    private static double[] versusBandwidth(WorkerPool pool, MemorySegment buf, Matrix m) {
        float[] x = new float[m.cols()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 17) * 0.01f - 0.08f;
        }
        float[] y = new float[m.rows()];
        int grain = Math.max(1, 32768 / m.cols());
        double bestM = 0;
        double bestB = 0;
        for (int round = 0; round < 6; round++) {
            bestB = Math.max(bestB, sumBandwidth(pool, buf));
            long t0 = System.nanoTime();
            pool.parallelFor(m.rows(), grain, (a, b) -> m.matvec(x, y, a, b));
            bestM = Math.max(bestM, m.bytes() / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        return new double[] {bestM, bestB};
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static double sumBandwidth(WorkerPool pool, MemorySegment seg) {
        long n = seg.byteSize() / 4;
        int chunks = 256;
        double[] sink = new double[chunks];
        long t0 = System.nanoTime();
        pool.parallelFor(chunks, 1, (a, b) -> {
            for (int c = a; c < b; c++) {
                long from = n * c / chunks;
                int len = (int) (n * (c + 1) / chunks - from);
                MemorySegment part = seg.asSlice(4 * from, 4L * len);
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                for (int i = 0; i + 2 * F.length() <= len; i += 2 * F.length()) {
                    s0 = s0.add(FloatVector.fromMemorySegment(F, part, 4L * i, ByteOrder.LITTLE_ENDIAN));
                    s1 = s1.add(FloatVector.fromMemorySegment(F, part, 4L * (i + F.length()), ByteOrder.LITTLE_ENDIAN));
                }
                sink[c] = s0.add(s1).reduceLanes(VectorOperators.ADD);
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        if (Arrays.stream(sink).sum() == 42.4242) {
            System.out.print("");
        }
        return seg.byteSize() / secs / 1e9;
    }

    private static void fillFloats(MemorySegment seg, int salt) {
        long n = seg.byteSize() / 4;
        int x = 12345 + salt;
        for (long i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * i, ((x >>> 9) & 0xFFFF) * 0x1p-16f - 0.5f);
        }
    }

    private static void fillBf16(MemorySegment seg) {
        long n = seg.byteSize() / 2;
        int x = 777;
        for (long i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            float v = ((x >>> 9) & 0xFFFF) * 0x1p-16f - 0.5f;
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
        }
    }

    private static void fillFp8(MemorySegment seg) {
        long n = seg.byteSize();
        int x = 999;
        for (long i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            int code = (x >>> 24) & 0xFF;
            if ((code & 0x7F) == 0x7F) {
                code ^= 1; // no NaN codes
            }
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) code);
        }
    }

    private static int argmax(float[] x) {
        int a = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[a]) {
                a = i;
            }
        }
        return a;
    }
}
