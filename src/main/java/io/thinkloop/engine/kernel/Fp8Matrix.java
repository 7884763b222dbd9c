package io.thinkloop.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

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
    private static final float X_SCALE = 0x1p100f;
    private static final float Y_SCALE = 0x1p20f;
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
        return ((IntVector) ByteVector.fromMemorySegment(B, data, off, java.nio.ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, I, 0))
                .lanewise(VectorOperators.LSHL, 20).lanewise(VectorOperators.AND, 0x87F00000).reinterpretAsFloats();
    }

    /** Sum over one column block of raw(w) * x, where the caller has chosen the scaling of x. */
    private float blockDot(long base, int c0, int c1, float[] x, int xOff, boolean prescaled) {
        int i = c0;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        if (prescaled) {
            for (int ub = c1 - 2 * L; i <= ub; i += 2 * L) {
                s0 = raw(base + i).fma(FloatVector.fromArray(F, x, xOff + i), s0);
                s1 = raw(base + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), s1);
            }
        } else {
            for (int ub = c1 - L; i <= ub; i += L) {
                s0 = raw(base + i).mul(P120).fma(FloatVector.fromArray(F, x, xOff + i), s0);
            }
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < c1; i++) {
            float w = Fp8.decode(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + i));
            s += prescaled ? w * (1f / P120) * x[xOff + i] : w * x[xOff + i];
        }
        return s;
    }

    private float rowDot(int r, float[] x, int xOff, boolean prescaled) {
        long base = (long) r * cols;
        int srow = (r / blockRows) * scaleCols;
        float s = 0;
        for (int b = 0, c0 = 0; c0 < cols; b++, c0 += blockCols) {
            s += scales[srow + b] * blockDot(base, c0, Math.min(cols, c0 + blockCols), x, xOff, prescaled);
        }
        return s;
    }

    @Override
    public float dot(int r, float[] x, int xOff) {
        return rowDot(r, x, xOff, false);
    }

    @Override
    public void matvec(float[] x, float[] y, int from, int to) {
        float[][] holder = SCRATCH.get();
        float[] xs = holder[0];
        if (xs.length < cols) {
            xs = holder[0] = new float[cols];
        }
        for (int i = 0; i < cols; i++) {
            xs[i] = x[i] * X_SCALE;
        }
        for (int r = from; r < to; r++) {
            y[r] = rowDot(r, xs, 0, true) * Y_SCALE;
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
                raw(base + i).mul(P120).fma(FloatVector.broadcast(F, f), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
            }
            for (; i < c1; i++) {
                y[yOff + i] += f * Fp8.decode(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + i));
            }
        }
    }

    @Override
    public void row(int r, float[] dst, int off) {
        long base = (long) r * cols;
        int srow = (r / blockRows) * scaleCols;
        for (int i = 0; i < cols; i++) {
            dst[off + i] = Fp8.decode(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + i)) * scales[srow + i / blockCols];
        }
    }
}
