package io.thinkloop.engine.kernel;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Prefill's product of a stored weight matrix with a batch of token rows: {@code ys[t][r] = W[r] · xs[t]}.
 *
 * <p>Weights are stored {@code out x in} in F32, BF16 or FP8 and token rows are separate arrays, so both
 * operands are contiguous along the reduction: the kernel is the dot-product form of a register-tiled
 * GEMM. The columns are cut into chunks of {@link #KCH}; for each chunk, four weight rows are
 * dequantised once into a small float buffer (L1) and reused by every token, four tokens at a time:
 * a 4 x 4 tile of vector accumulators takes eight loads per sixteen FMAs, and a token chunk of the
 * whole batch stays in L2. Each weight is dequantised once per call, where the row-wise path
 * ({@link Matrix#matmulRowwise}) does one dot product per row and token.
 */
final class WeightGemm {
    /** Reduction chunk: 4 weight rows of it (16 KiB) stay in L1, a 64-token batch of it (256 KiB) in L2. */
    static final int KCH = 1024;
    /** Weight rows per register tile. */
    static final int TR = 8;
    /** Tokens per register tile. */
    static final int TT = 3;

    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[TR * KCH]);

    private WeightGemm() {}

    static void matmul(Matrix w, float[][] xs, float[][] ys, int n, int from, int to) {
        int cols = w.cols();
        float[] wb = BUFFER.get();
        for (int c0 = 0; c0 < cols; c0 += KCH) {
            int len = Math.min(KCH, cols - c0);
            boolean add = c0 > 0;
            int r = from;
            for (; r + TR <= to; r += TR) {
                for (int q = 0; q < TR; q++) {
                    w.segment(r + q, c0, len, wb, q * KCH);
                }
                int t = 0;
                for (; t + TT <= n; t += TT) {
                    tile(wb, xs, c0, len, ys, t, r, add);
                }
                for (; t < n; t++) {
                    tile4x1(wb, 0, xs[t], c0, len, ys[t], r, add);
                    tile4x1(wb, 4 * KCH, xs[t], c0, len, ys[t], r + 4, add);
                }
            }
            for (; r + 4 <= to; r += 4) {
                for (int q = 0; q < 4; q++) {
                    w.segment(r + q, c0, len, wb, q * KCH);
                }
                for (int t = 0; t < n; t++) {
                    tile4x1(wb, 0, xs[t], c0, len, ys[t], r, add);
                }
            }
            for (; r < to; r++) {
                w.segment(r, c0, len, wb, 0);
                for (int t = 0; t < n; t++) {
                    float s = VectorMath.dot(wb, 0, xs[t], c0, len);
                    ys[t][r] = add ? ys[t][r] + s : s;
                }
            }
        }
    }

    /** Rows r..r+7 (in wb, stride KCH) against tokens t..t+2 over columns [c0, c0+len). */
    private static void tile(float[] wb, float[][] xs, int c0, int len, float[][] ys, int t, int r, boolean add) {
        float[] x0 = xs[t + 0], x1 = xs[t + 1], x2 = xs[t + 2];
        FloatVector s0_0 = FloatVector.zero(F);
        FloatVector s0_1 = s0_0;
        FloatVector s0_2 = s0_0;
        FloatVector s1_0 = s0_0;
        FloatVector s1_1 = s0_0;
        FloatVector s1_2 = s0_0;
        FloatVector s2_0 = s0_0;
        FloatVector s2_1 = s0_0;
        FloatVector s2_2 = s0_0;
        FloatVector s3_0 = s0_0;
        FloatVector s3_1 = s0_0;
        FloatVector s3_2 = s0_0;
        FloatVector s4_0 = s0_0;
        FloatVector s4_1 = s0_0;
        FloatVector s4_2 = s0_0;
        FloatVector s5_0 = s0_0;
        FloatVector s5_1 = s0_0;
        FloatVector s5_2 = s0_0;
        FloatVector s6_0 = s0_0;
        FloatVector s6_1 = s0_0;
        FloatVector s6_2 = s0_0;
        FloatVector s7_0 = s0_0;
        FloatVector s7_1 = s0_0;
        FloatVector s7_2 = s0_0;
        int i = 0;
        for (int ub = len - L; i <= ub; i += L) {
            FloatVector a0 = FloatVector.fromArray(F, x0, c0 + i);
            FloatVector a1 = FloatVector.fromArray(F, x1, c0 + i);
            FloatVector a2 = FloatVector.fromArray(F, x2, c0 + i);
            FloatVector w = FloatVector.fromArray(F, wb, i);
            s0_0 = w.fma(a0, s0_0);
            s0_1 = w.fma(a1, s0_1);
            s0_2 = w.fma(a2, s0_2);
            w = FloatVector.fromArray(F, wb, KCH + i);
            s1_0 = w.fma(a0, s1_0);
            s1_1 = w.fma(a1, s1_1);
            s1_2 = w.fma(a2, s1_2);
            w = FloatVector.fromArray(F, wb, 2 * KCH + i);
            s2_0 = w.fma(a0, s2_0);
            s2_1 = w.fma(a1, s2_1);
            s2_2 = w.fma(a2, s2_2);
            w = FloatVector.fromArray(F, wb, 3 * KCH + i);
            s3_0 = w.fma(a0, s3_0);
            s3_1 = w.fma(a1, s3_1);
            s3_2 = w.fma(a2, s3_2);
            w = FloatVector.fromArray(F, wb, 4 * KCH + i);
            s4_0 = w.fma(a0, s4_0);
            s4_1 = w.fma(a1, s4_1);
            s4_2 = w.fma(a2, s4_2);
            w = FloatVector.fromArray(F, wb, 5 * KCH + i);
            s5_0 = w.fma(a0, s5_0);
            s5_1 = w.fma(a1, s5_1);
            s5_2 = w.fma(a2, s5_2);
            w = FloatVector.fromArray(F, wb, 6 * KCH + i);
            s6_0 = w.fma(a0, s6_0);
            s6_1 = w.fma(a1, s6_1);
            s6_2 = w.fma(a2, s6_2);
            w = FloatVector.fromArray(F, wb, 7 * KCH + i);
            s7_0 = w.fma(a0, s7_0);
            s7_1 = w.fma(a1, s7_1);
            s7_2 = w.fma(a2, s7_2);
        }
        finish(
                ys[t + 0],
                r + 0,
                s0_0.reduceLanes(VectorOperators.ADD),
                s1_0.reduceLanes(VectorOperators.ADD),
                s2_0.reduceLanes(VectorOperators.ADD),
                s3_0.reduceLanes(VectorOperators.ADD),
                wb,
                0 * KCH,
                x0,
                c0,
                i,
                len,
                add);
        finish(
                ys[t + 0],
                r + 4,
                s4_0.reduceLanes(VectorOperators.ADD),
                s5_0.reduceLanes(VectorOperators.ADD),
                s6_0.reduceLanes(VectorOperators.ADD),
                s7_0.reduceLanes(VectorOperators.ADD),
                wb,
                4 * KCH,
                x0,
                c0,
                i,
                len,
                add);
        finish(
                ys[t + 1],
                r + 0,
                s0_1.reduceLanes(VectorOperators.ADD),
                s1_1.reduceLanes(VectorOperators.ADD),
                s2_1.reduceLanes(VectorOperators.ADD),
                s3_1.reduceLanes(VectorOperators.ADD),
                wb,
                0 * KCH,
                x1,
                c0,
                i,
                len,
                add);
        finish(
                ys[t + 1],
                r + 4,
                s4_1.reduceLanes(VectorOperators.ADD),
                s5_1.reduceLanes(VectorOperators.ADD),
                s6_1.reduceLanes(VectorOperators.ADD),
                s7_1.reduceLanes(VectorOperators.ADD),
                wb,
                4 * KCH,
                x1,
                c0,
                i,
                len,
                add);
        finish(
                ys[t + 2],
                r + 0,
                s0_2.reduceLanes(VectorOperators.ADD),
                s1_2.reduceLanes(VectorOperators.ADD),
                s2_2.reduceLanes(VectorOperators.ADD),
                s3_2.reduceLanes(VectorOperators.ADD),
                wb,
                0 * KCH,
                x2,
                c0,
                i,
                len,
                add);
        finish(
                ys[t + 2],
                r + 4,
                s4_2.reduceLanes(VectorOperators.ADD),
                s5_2.reduceLanes(VectorOperators.ADD),
                s6_2.reduceLanes(VectorOperators.ADD),
                s7_2.reduceLanes(VectorOperators.ADD),
                wb,
                4 * KCH,
                x2,
                c0,
                i,
                len,
                add);
    }

    /** Rows r..r+3 (at wb[wo..]) against one token. */
    private static void tile4x1(float[] wb, int wo, float[] x, int c0, int len, float[] y, int r, boolean add) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (int ub = len - L; i <= ub; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, c0 + i);
            s0 = FloatVector.fromArray(F, wb, wo + i).fma(a, s0);
            s1 = FloatVector.fromArray(F, wb, wo + KCH + i).fma(a, s1);
            s2 = FloatVector.fromArray(F, wb, wo + 2 * KCH + i).fma(a, s2);
            s3 = FloatVector.fromArray(F, wb, wo + 3 * KCH + i).fma(a, s3);
        }
        finish(
                y,
                r,
                s0.reduceLanes(VectorOperators.ADD),
                s1.reduceLanes(VectorOperators.ADD),
                s2.reduceLanes(VectorOperators.ADD),
                s3.reduceLanes(VectorOperators.ADD),
                wb,
                wo,
                x,
                c0,
                i,
                len,
                add);
    }

    /** Adds the scalar tail {@code [i, len)} to one token's four row sums and writes y[r..r+3]. */
    private static void finish(
            float[] y,
            int r,
            float t0,
            float t1,
            float t2,
            float t3,
            float[] wb,
            int wo,
            float[] x,
            int c0,
            int i,
            int len,
            boolean add) {
        for (; i < len; i++) {
            float xi = x[c0 + i];
            t0 += wb[wo + i] * xi;
            t1 += wb[wo + KCH + i] * xi;
            t2 += wb[wo + 2 * KCH + i] * xi;
            t3 += wb[wo + 3 * KCH + i] * xi;
        }
        if (add) {
            y[r] += t0;
            y[r + 1] += t1;
            y[r + 2] += t2;
            y[r + 3] += t3;
        } else {
            y[r] = t0;
            y[r + 1] = t1;
            y[r + 2] = t2;
            y[r + 3] = t3;
        }
    }
}
