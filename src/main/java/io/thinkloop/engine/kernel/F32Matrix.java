package io.thinkloop.engine.kernel;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Float32 little-endian weights in place. */
public record F32Matrix(MemorySegment data, int rows, int cols) implements Matrix {
    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder O = ByteOrder.LITTLE_ENDIAN;

    @Override
    public long bytes() {
        return (long) rows * cols * 4;
    }

    @Override
    public float dot(int r, float[] x, int xOff) {
        long base = (long) r * cols * 4;
        int i = 0;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        for (int ub = cols - 4 * L; i <= ub; i += 4 * L) {
            long o = base + 4L * i;
            s0 = FloatVector.fromMemorySegment(F, data, o, O).fma(FloatVector.fromArray(F, x, xOff + i), s0);
            s1 = FloatVector.fromMemorySegment(F, data, o + 4L * L, O)
                    .fma(FloatVector.fromArray(F, x, xOff + i + L), s1);
            s2 = FloatVector.fromMemorySegment(F, data, o + 8L * L, O)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), s2);
            s3 = FloatVector.fromMemorySegment(F, data, o + 12L * L, O)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), s3);
        }
        for (int ub = cols - L; i <= ub; i += L) {
            s0 = FloatVector.fromMemorySegment(F, data, base + 4L * i, O)
                    .fma(FloatVector.fromArray(F, x, xOff + i), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            s += data.get(LE, base + 4L * i) * x[xOff + i];
        }
        return s;
    }

    /** Four rows at once, sharing each load of x (see Fp8Matrix#matvec). */
    @Override
    public void matvec(float[] x, float[] y, int from, int to) {
        int r = from;
        for (; r + 4 <= to; r += 4) {
            long b0 = (long) r * cols * 4;
            long b1 = b0 + cols * 4L;
            long b2 = b1 + cols * 4L;
            long b3 = b2 + cols * 4L;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            int i = 0;
            for (int ub = cols - L; i <= ub; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, i);
                long o = 4L * i;
                s0 = FloatVector.fromMemorySegment(F, data, b0 + o, O).fma(xv, s0);
                s1 = FloatVector.fromMemorySegment(F, data, b1 + o, O).fma(xv, s1);
                s2 = FloatVector.fromMemorySegment(F, data, b2 + o, O).fma(xv, s2);
                s3 = FloatVector.fromMemorySegment(F, data, b3 + o, O).fma(xv, s3);
            }
            float t0 = s0.reduceLanes(VectorOperators.ADD);
            float t1 = s1.reduceLanes(VectorOperators.ADD);
            float t2 = s2.reduceLanes(VectorOperators.ADD);
            float t3 = s3.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                long o = 4L * i;
                t0 += data.get(LE, b0 + o) * x[i];
                t1 += data.get(LE, b1 + o) * x[i];
                t2 += data.get(LE, b2 + o) * x[i];
                t3 += data.get(LE, b3 + o) * x[i];
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
        long base = (long) r * cols * 4;
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, a);
        for (int ub = cols - L; i <= ub; i += L) {
            FloatVector.fromMemorySegment(F, data, base + 4L * i, O)
                    .fma(va, FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < cols; i++) {
            y[yOff + i] += a * data.get(LE, base + 4L * i);
        }
    }

    @Override
    public void segment(int r, int c0, int len, float[] dst, int off) {
        MemorySegment.copy(data, LE, ((long) r * cols + c0) * 4, dst, off, len);
    }
}
