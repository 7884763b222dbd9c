package io.thinkloop.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.engine.kernel.Bf16Matrix;
import io.thinkloop.engine.kernel.F32Matrix;
import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.engine.kernel.Fp8Matrix;
import io.thinkloop.engine.kernel.Matrix;
import io.thinkloop.engine.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The vector kernels against plain scalar arithmetic. */
class KernelTest {
    @Test
    void fp8CodesRoundTripAndRoundToNearestEven() {
        for (int b = 0; b < 256; b++) {
            if ((b & 0x7F) == 0x7F) {
                continue; // NaN codes
            }
            float v = Fp8.decode((byte) b);
            assertEquals(v, Fp8.round(v));
            if (v != 0 || b == 0) {
                assertEquals((byte) b, Fp8.encode(v), "code " + b);
            }
        }
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float v = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-14, 10)));
            assertEquals(Fp8.encode(Fp8.round(v)), Fp8.encodeRounded(v), "v=" + v);
        }
        for (int b = 0; b < 255; b++) { // midpoints between neighbouring codes: ties to even
            float lo = Fp8.decode((byte) b);
            float hi = Fp8.decode((byte) (b + 1));
            if ((b & 0x7F) >= 0x7E || (b & 0x80) != ((b + 1) & 0x80)) {
                continue;
            }
            float mid = (lo + hi) / 2;
            byte even = (b & 1) == 0 ? (byte) b : (byte) (b + 1);
            assertEquals(even, Fp8.encodeRounded(mid), "mid of " + b);
            assertEquals(Fp8.decode(even), Fp8.round(mid), "round mid of " + b);
        }
        assertEquals(448f, Fp8.round(1000f));
        assertEquals(1.0f, Fp8.round(1.0625f)); // tie between 1.0 and 1.125 goes to the even mantissa
        assertEquals(1.25f, Fp8.round(1.1875f));
        assertEquals(0x1p-9f, Fp8.round(0x1.8p-10f)); // subnormal tie rounds to the even code 1? (0.75 q -> 1 q)
        assertEquals(1f, Fp8.blockScale(448f));
        assertEquals(2f, Fp8.blockScale(449f));
        assertEquals(0x1p-22f, Fp8.blockScale(0f)); // 1e-4/448 rounds up to 2^-22
    }

    @Test
    void matricesAgreeWithScalarDequantization() {
        SplittableRandom r = new SplittableRandom(1);
        int rows = 300;
        int cols = 333; // not a multiple of the vector length or the 128 block
        try (Arena arena = Arena.ofConfined()) {
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian() * 0.05f;
            }
            MemorySegment f32 = arena.allocate(4L * w.length);
            MemorySegment bf = arena.allocate(2L * w.length);
            MemorySegment f8 = arena.allocate(w.length);
            int sr = (rows + 127) / 128;
            int sc = (cols + 127) / 128;
            float[] scales = new float[sr * sc];
            for (int i = 0; i < scales.length; i++) {
                scales[i] = (float) Math.scalb(1.0, -10 - i % 3);
            }
            float[] wbf = new float[w.length];
            float[] wf8 = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                f32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, w[i]);
                short h = (short) (Float.floatToRawIntBits(w[i]) >>> 16);
                bf.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, h);
                wbf[i] = Float.intBitsToFloat(h << 16);
                float s = scales[(i / cols / 128) * sc + (i % cols) / 128];
                byte code = Fp8.encode(Fp8.round(w[i] / s));
                f8.set(ValueLayout.JAVA_BYTE, i, code);
                wf8[i] = Fp8.decode(code) * s;
            }
            Matrix[] ms = {
                new F32Matrix(f32, rows, cols),
                new Bf16Matrix(bf, rows, cols),
                new Fp8Matrix(f8, rows, cols, scales, 128, 128)
            };
            float[][] ref = {w, wbf, wf8};
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int k = 0; k < ms.length; k++) {
                Matrix m = ms[k];
                float[] y = new float[rows];
                m.matvec(x, y, 0, rows);
                float[][] ys = new float[2][rows];
                m.matmul(new float[][] {x, x}, ys, 2, 0, rows);
                float[] rowBuf = new float[cols];
                float[] acc = new float[cols];
                for (int row = 0; row < rows; row++) {
                    double e = 0;
                    for (int c = 0; c < cols; c++) {
                        e += (double) ref[k][row * cols + c] * x[c];
                    }
                    assertEquals(e, y[row], 1e-4, "matvec " + k + " row " + row);
                    assertEquals(e, m.dot(row, x, 0), 1e-4);
                    assertEquals(e, ys[1][row], 1e-4);
                    m.row(row, rowBuf, 0);
                    assertEquals(ref[k][row * cols + 7], rowBuf[7]);
                }
                m.axpy(5, 2f, acc, 0);
                for (int c = 0; c < cols; c++) {
                    assertEquals(2f * ref[k][5 * cols + c], acc[c], 1e-6);
                }
            }
        }
    }

    @Test
    void theBlockedWeightProductMatchesTheRowWiseOneForEveryStorageAndBatchShape() {
        SplittableRandom r = new SplittableRandom(2);
        // Rows not a multiple of the 4-row tile, columns past the 1024 reduction chunk and not a multiple
        // of the vector length or the FP8 block; batches below, at and past the 4-token tile.
        int rows = 134;
        int cols = 1100;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f32 = arena.allocate(4L * rows * cols);
            MemorySegment bf = arena.allocate(2L * rows * cols);
            MemorySegment f8 = arena.allocate((long) rows * cols);
            for (int i = 0; i < rows * cols; i++) {
                float v = (float) r.nextGaussian() * 0.05f;
                f32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, v);
                bf.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, (short)
                        (Float.floatToRawIntBits(v) >>> 16));
                f8.set(ValueLayout.JAVA_BYTE, i, Fp8.encode(Fp8.round(v * 1024)));
            }
            float[] scales = new float[((rows + 127) / 128) * ((cols + 127) / 128)];
            for (int i = 0; i < scales.length; i++) {
                scales[i] = (float) Math.scalb(1.0, -9 - i % 3);
            }
            Matrix[] ms = {
                new F32Matrix(f32, rows, cols),
                new Bf16Matrix(bf, rows, cols),
                new Fp8Matrix(f8, rows, cols, scales, 128, 128)
            };
            for (int n : new int[] {1, 3, 4, 9}) {
                float[][] xs = new float[n][cols];
                for (float[] x : xs) {
                    for (int i = 0; i < cols; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                }
                for (Matrix m : ms) {
                    float[][] blocked = new float[n][rows];
                    float[][] rowwise = new float[n][rows];
                    // Two slices whose boundary is not a multiple of four rows.
                    m.matmul(xs, blocked, n, 0, 61);
                    m.matmul(xs, blocked, n, 61, rows);
                    m.matmulRowwise(xs, rowwise, n, 0, rows);
                    float[] w = new float[cols];
                    for (int t = 0; t < n; t++) {
                        for (int row = 0; row < rows; row++) {
                            m.row(row, w, 0);
                            double e = 0;
                            for (int c = 0; c < cols; c++) {
                                e += (double) w[c] * xs[t][c];
                            }
                            String where = m.getClass().getSimpleName() + " n=" + n + " t=" + t + " row=" + row;
                            assertEquals(e, blocked[t][row], 1e-3 * (1 + Math.abs(e)), where);
                            assertEquals(e, rowwise[t][row], 1e-3 * (1 + Math.abs(e)), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void workerPoolCoversEveryIndexOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int round = 0; round < 2000; round++) {
                int n = 1 + round % 97;
                int[] hits = new int[n];
                AtomicLong sum = new AtomicLong();
                pool.parallelFor(n, 1, (a, b) -> {
                    for (int i = a; i < b; i++) {
                        hits[i]++;
                        sum.addAndGet(i);
                    }
                });
                assertEquals((long) n * (n - 1) / 2, sum.get());
                for (int h : hits) {
                    assertEquals(1, h);
                }
            }
            RuntimeException boom = new RuntimeException("boom");
            var e = Assertions.assertThrows(
                    RuntimeException.class,
                    () -> pool.parallelFor(100, 1, (a, b) -> {
                        throw boom;
                    }));
            assertTrue(e == boom);
        }
    }
}
