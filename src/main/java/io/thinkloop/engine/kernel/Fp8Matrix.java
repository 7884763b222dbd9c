package io.thinkloop.engine.kernel;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP8 e4m3 weights in place with one float scale per {@code blockRows x blockCols} block
 * ({@code weight_scale_inv}; dequantized = code value x scale).
 *
 * <p>Decoding without a lookup: sign-extend a code to int, shift left 20 and keep the sign bit and
 * the 7 exponent/mantissa bits; as float bits that is the value times 2^-120 (subnormal codes land
 * on float subnormals, exactly). The kernels either multiply by 2^120 per vector or, in matvec,
 * pre-scale the input by 2^100 once and the result by 2^20, which keeps products far from underflow.
 */
public final class Fp8Matrix implements Matrix {
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final float P120 = 0x1p120f;
    private static final float X_SCALE = 0x1p64f;
    private static final float Y_SCALE = 0x1p56f; // 2^120 / X_SCALE
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final int blockRows;
    private final int blockCols;
    private final int scaleCols;
    private final float[] scales;

    public Fp8Matrix(MemorySegment data, int rows, int cols, float[] scales, int blockRows, int blockCols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.blockRows = blockRows;
        this.blockCols = blockCols;
        this.scaleCols = (cols + blockCols - 1) / blockCols;
        this.scales = scales;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return (long) rows * cols + scales.length * 4L;
    }

    private FloatVector raw(long off) {
        return ((IntVector) ByteVector.fromMemorySegment(B, data, off, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0))
                .lanewise(VectorOperators.LSHL, 20)
                .lanewise(VectorOperators.AND, 0x87F00000)
                .reinterpretAsFloats();
    }

    /**
     * Row r times x, where x is pre-scaled by 2^100 ({@code prescaled}) or not (then each decoded
     * vector is multiplied by 2^120). Block sums are folded into one vector accumulator with their
     * scale, so the row costs a single horizontal reduction.
     */
    private float rowDot(int r, float[] x, int xOff, boolean prescaled) {
        long base = (long) r * cols;
        int srow = (r / blockRows) * scaleCols;
        FloatVector total = FloatVector.zero(F);
        float tail = 0;
        for (int b = 0, c0 = 0; c0 < cols; b++, c0 += blockCols) {
            int c1 = Math.min(cols, c0 + blockCols);
            float scale = scales[srow + b];
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            int i = c0;
            if (prescaled) {
                for (int ub = c1 - 2 * L; i <= ub; i += 2 * L) {
                    s0 = raw(base + i).fma(FloatVector.fromArray(F, x, xOff + i), s0);
                    s1 = raw(base + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), s1);
                }
            }
            for (int ub = c1 - L; i <= ub; i += L) {
                FloatVector w = raw(base + i);
                s0 = (prescaled ? w : w.mul(P120)).fma(FloatVector.fromArray(F, x, xOff + i), s0);
            }
            total = s0.add(s1).fma(FloatVector.broadcast(F, scale), total);
            for (; i < c1; i++) {
                float w = Fp8.decode(data.get(ValueLayout.JAVA_BYTE, base + i));
                tail += scale * (prescaled ? w * (1f / P120) : w) * x[xOff + i];
            }
        }
        return total.reduceLanes(VectorOperators.ADD) + tail;
    }

    @Override
    public float dot(int r, float[] x, int xOff) {
        return rowDot(r, x, xOff, false);
    }

    /**
     * Within one band of {@code blockRows} rows every column block has one scale, so the input is
     * multiplied once per band by (scale x 2^64) and each row becomes one plain dot product of raw
     * decoded codes (value x 2^-120) with it: no per-block reductions in the inner loop.
     */
    private void scaleInput(float[] x, int band, float[] xs) {
        int srow = band * scaleCols;
        for (int b = 0, c0 = 0; c0 < cols; b++, c0 += blockCols) {
            float f = scales[srow + b] * X_SCALE;
            int c1 = Math.min(cols, c0 + blockCols);
            for (int i = c0; i < c1; i++) {
                xs[i] = x[i] * f;
            }
        }
    }

    private float rawDot(long base, float[] xs) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        for (int ub = cols - 4 * L; i <= ub; i += 4 * L) {
            s0 = raw(base + i).fma(FloatVector.fromArray(F, xs, i), s0);
            s1 = raw(base + i + L).fma(FloatVector.fromArray(F, xs, i + L), s1);
            s2 = raw(base + i + 2 * L).fma(FloatVector.fromArray(F, xs, i + 2 * L), s2);
            s3 = raw(base + i + 3 * L).fma(FloatVector.fromArray(F, xs, i + 3 * L), s3);
        }
        for (int ub = cols - L; i <= ub; i += L) {
            s0 = raw(base + i).fma(FloatVector.fromArray(F, xs, i), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            s += Fp8.decode(data.get(ValueLayout.JAVA_BYTE, base + i)) * (1f / P120) * xs[i];
        }
        return s * Y_SCALE;
    }

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /**
     * Four rows against one input at once: each input vector is loaded once for four rows, which
     * keeps wide inputs (whose scaled copy fills L1) from throttling the weight stream.
     */
    private void rawDot4(long b0, float[] xs, float[] y, int r) {
        long b1 = b0 + cols;
        long b2 = b1 + cols;
        long b3 = b2 + cols;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        int i = 0;
        for (int ub = cols - L; i <= ub; i += L) {
            FloatVector xv = FloatVector.fromArray(F, xs, i);
            s0 = raw(b0 + i).fma(xv, s0);
            s1 = raw(b1 + i).fma(xv, s1);
            s2 = raw(b2 + i).fma(xv, s2);
            s3 = raw(b3 + i).fma(xv, s3);
        }
        float t0 = s0.reduceLanes(VectorOperators.ADD);
        float t1 = s1.reduceLanes(VectorOperators.ADD);
        float t2 = s2.reduceLanes(VectorOperators.ADD);
        float t3 = s3.reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            float xi = xs[i] * (1f / P120);
            t0 += Fp8.decode(data.get(ValueLayout.JAVA_BYTE, b0 + i)) * xi;
            t1 += Fp8.decode(data.get(ValueLayout.JAVA_BYTE, b1 + i)) * xi;
            t2 += Fp8.decode(data.get(ValueLayout.JAVA_BYTE, b2 + i)) * xi;
            t3 += Fp8.decode(data.get(ValueLayout.JAVA_BYTE, b3 + i)) * xi;
        }
        y[r] = t0 * Y_SCALE;
        y[r + 1] = t1 * Y_SCALE;
        y[r + 2] = t2 * Y_SCALE;
        y[r + 3] = t3 * Y_SCALE;
    }

    @Override
    public void matvec(float[] x, float[] y, int from, int to) {
        float[] xs = scratch(cols);
        int band = -1;
        int r = from;
        while (r < to) {
            if (r / blockRows != band) {
                band = r / blockRows;
                scaleInput(x, band, xs);
            }
            if (r + 4 <= to && (r + 3) / blockRows == band) {
                rawDot4((long) r * cols, xs, y, r);
                r += 4;
            } else {
                y[r] = rawDot((long) r * cols, xs);
                r++;
            }
        }
    }

    @Override
    public void matmulRowwise(float[][] xs, float[][] ys, int n, int from, int to) {
        float[][] views = new float[n][];
        int band = -1;
        for (int r = from; r < to; r++) {
            if (r / blockRows != band) {
                band = r / blockRows;
                for (int t = 0; t < n; t++) {
                    if (views[t] == null) {
                        views[t] = new float[cols];
                    }
                    scaleInput(xs[t], band, views[t]);
                }
            }
            for (int t = 0; t < n; t++) {
                ys[t][r] = rawDot((long) r * cols, views[t]);
            }
        }
    }

    @Override
    public void axpy(int r, float a, float[] y, int yOff) {
        long base = (long) r * cols;
        int srow = (r / blockRows) * scaleCols;
        for (int b = 0, c0 = 0; c0 < cols; b++, c0 += blockCols) {
            float f = a * scales[srow + b];
            int c1 = Math.min(cols, c0 + blockCols);
            int i = c0;
            for (int ub = c1 - L; i <= ub; i += L) {
                raw(base + i)
                        .mul(P120)
                        .fma(FloatVector.broadcast(F, f), FloatVector.fromArray(F, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
            for (; i < c1; i++) {
                y[yOff + i] += f * Fp8.decode(data.get(ValueLayout.JAVA_BYTE, base + i));
            }
        }
    }

    /** Decodes by the shift trick and multiplies by (scale x 2^120): one rounding, as decode x scale. */
    @Override
    public void segment(int r, int c0, int len, float[] dst, int off) {
        long base = (long) r * cols;
        int srow = (r / blockRows) * scaleCols;
        int end = c0 + len;
        for (int c = c0; c < end; ) {
            int b = c / blockCols;
            int c1 = Math.min(end, (b + 1) * blockCols);
            float scale = scales[srow + b];
            float f = scale * P120;
            int i = c;
            if (Float.isFinite(f)) {
                for (int ub = c1 - L; i <= ub; i += L) {
                    raw(base + i).mul(f).intoArray(dst, off + i - c0);
                }
            }
            for (; i < c1; i++) {
                dst[off + i - c0] = Fp8.decode(data.get(ValueLayout.JAVA_BYTE, base + i)) * scale;
            }
            c = c1;
        }
    }
}
