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

    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[4 * KCH]);

    private WeightGemm() {}

    static void matmul(Matrix w, float[][] xs, float[][] ys, int n, int from, int to) {
        int cols = w.cols();
        float[] wb = BUFFER.get();
        for (int c0 = 0; c0 < cols; c0 += KCH) {
            int len = Math.min(KCH, cols - c0);
            boolean add = c0 > 0;
            int r = from;
            for (; r + 4 <= to; r += 4) {
                for (int q = 0; q < 4; q++) {
                    w.segment(r + q, c0, len, wb, q * KCH);
                }
                int t = 0;
                for (; t + 4 <= n; t += 4) {
                    tile4x4(wb, xs[t], xs[t + 1], xs[t + 2], xs[t + 3], c0, len, ys, t, r, add);
                }
                for (; t < n; t++) {
                    tile4x1(wb, xs[t], c0, len, ys[t], r, add);
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

    /** Rows r..r+3 (in wb, stride KCH) against tokens x0..x3 over columns [c0, c0+len). */
    private static void tile4x4(
            float[] wb,
            float[] x0,
            float[] x1,
            float[] x2,
            float[] x3,
            int c0,
            int len,
            float[][] ys,
            int t,
            int r,
            boolean add) {
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int i = 0;
        for (int ub = len - L; i <= ub; i += L) {
            FloatVector a0 = FloatVector.fromArray(F, x0, c0 + i);
            FloatVector a1 = FloatVector.fromArray(F, x1, c0 + i);
            FloatVector a2 = FloatVector.fromArray(F, x2, c0 + i);
            FloatVector a3 = FloatVector.fromArray(F, x3, c0 + i);
            FloatVector w = FloatVector.fromArray(F, wb, i);
            s00 = w.fma(a0, s00);
            s01 = w.fma(a1, s01);
            s02 = w.fma(a2, s02);
            s03 = w.fma(a3, s03);
            w = FloatVector.fromArray(F, wb, KCH + i);
            s10 = w.fma(a0, s10);
            s11 = w.fma(a1, s11);
            s12 = w.fma(a2, s12);
            s13 = w.fma(a3, s13);
            w = FloatVector.fromArray(F, wb, 2 * KCH + i);
            s20 = w.fma(a0, s20);
            s21 = w.fma(a1, s21);
            s22 = w.fma(a2, s22);
            s23 = w.fma(a3, s23);
            w = FloatVector.fromArray(F, wb, 3 * KCH + i);
            s30 = w.fma(a0, s30);
            s31 = w.fma(a1, s31);
            s32 = w.fma(a2, s32);
            s33 = w.fma(a3, s33);
        }
        float[] y0 = ys[t], y1 = ys[t + 1], y2 = ys[t + 2], y3 = ys[t + 3];
        store(y0, r, s00, s10, s20, s30, wb, x0, c0, i, len, add);
        store(y1, r, s01, s11, s21, s31, wb, x1, c0, i, len, add);
        store(y2, r, s02, s12, s22, s32, wb, x2, c0, i, len, add);
        store(y3, r, s03, s13, s23, s33, wb, x3, c0, i, len, add);
    }

    /** Rows r..r+3 against one token. */
    private static void tile4x1(float[] wb, float[] x, int c0, int len, float[] y, int r, boolean add) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (int ub = len - L; i <= ub; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, c0 + i);
            s0 = FloatVector.fromArray(F, wb, i).fma(a, s0);
            s1 = FloatVector.fromArray(F, wb, KCH + i).fma(a, s1);
            s2 = FloatVector.fromArray(F, wb, 2 * KCH + i).fma(a, s2);
            s3 = FloatVector.fromArray(F, wb, 3 * KCH + i).fma(a, s3);
        }
        store(y, r, s0, s1, s2, s3, wb, x, c0, i, len, add);
    }

    /** Reduces one token's four row sums, adds the scalar tail {@code [i, len)}, and writes y[r..r+3]. */
    private static void store(
            float[] y,
            int r,
            FloatVector s0,
            FloatVector s1,
            FloatVector s2,
            FloatVector s3,
            float[] wb,
            float[] x,
            int c0,
            int i,
            int len,
            boolean add) {
        float t0 = s0.reduceLanes(VectorOperators.ADD);
        float t1 = s1.reduceLanes(VectorOperators.ADD);
        float t2 = s2.reduceLanes(VectorOperators.ADD);
        float t3 = s3.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float xi = x[c0 + i];
            t0 += wb[i] * xi;
            t1 += wb[KCH + i] * xi;
            t2 += wb[2 * KCH + i] * xi;
            t3 += wb[3 * KCH + i] * xi;
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
