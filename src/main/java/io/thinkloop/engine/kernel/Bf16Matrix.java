package io.thinkloop.engine.kernel;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** BFloat16 weights in place; a bf16 is the top half of a float32, so widening is a 16-bit shift. */
public record Bf16Matrix(MemorySegment data, int rows, int cols) implements Matrix {
    private static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder O = ByteOrder.LITTLE_ENDIAN;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    static float toFloat(short b) {
        return Float.intBitsToFloat(b << 16);
    }

    private FloatVector load(long byteOff) {
        return ((IntVector) ShortVector.fromMemorySegment(S, data, byteOff, O).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    @Override
    public long bytes() {
        return (long) rows * cols * 2;
    }

    @Override
    public float dot(int r, float[] x, int xOff) {
        long base = (long) r * cols * 2;
        int i = 0;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        for (int ub = cols - 2 * L; i <= ub; i += 2 * L) {
            s0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), s0);
            s1 = load(base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), s1);
        }
        for (int ub = cols - L; i <= ub; i += L) {
            s0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), s0);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            s += toFloat(data.get(LE, base + 2L * i)) * x[xOff + i];
        }
        return s;
    }

    /** Four rows at once, sharing each load of x (see Fp8Matrix#matvec). */
    @Override
    public void matvec(float[] x, float[] y, int from, int to) {
        int r = from;
        for (; r + 4 <= to; r += 4) {
            long b0 = (long) r * cols * 2;
            long b1 = b0 + cols * 2L;
            long b2 = b1 + cols * 2L;
            long b3 = b2 + cols * 2L;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            int i = 0;
            for (int ub = cols - L; i <= ub; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, i);
                long o = 2L * i;
                s0 = load(b0 + o).fma(xv, s0);
                s1 = load(b1 + o).fma(xv, s1);
                s2 = load(b2 + o).fma(xv, s2);
                s3 = load(b3 + o).fma(xv, s3);
            }
            float t0 = s0.reduceLanes(VectorOperators.ADD);
            float t1 = s1.reduceLanes(VectorOperators.ADD);
            float t2 = s2.reduceLanes(VectorOperators.ADD);
            float t3 = s3.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                long o = 2L * i;
                t0 += toFloat(data.get(LE, b0 + o)) * x[i];
                t1 += toFloat(data.get(LE, b1 + o)) * x[i];
                t2 += toFloat(data.get(LE, b2 + o)) * x[i];
                t3 += toFloat(data.get(LE, b3 + o)) * x[i];
            }
            y[r] = t0;
            y[r + 1] = t1;
            y[r + 2] = t2;
            y[r + 3] = t3;
        }
        for (; r < to; r++) {
            y[r] = dot(r, x, 0);
        }
    }

    @Override
    public void axpy(int r, float a, float[] y, int yOff) {
        long base = (long) r * cols * 2;
        int i = 0;
        for (int ub = cols - L; i <= ub; i += L) {
            load(base + 2L * i)
                    .fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < cols; i++) {
            y[yOff + i] += a * toFloat(data.get(LE, base + 2L * i));
        }
    }

    @Override
    public void segment(int r, int c0, int len, float[] dst, int off) {
        long base = ((long) r * cols + c0) * 2;
        int i = 0;
        for (int ub = len - L; i <= ub; i += L) {
            load(base + 2L * i).intoArray(dst, off + i);
        }
        for (; i < len; i++) {
            dst[off + i] = toFloat(data.get(LE, base + 2L * i));
        }
    }
}
