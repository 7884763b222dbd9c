package io.thinkloop.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Row-major {@code a[r x c]} transposed. */
    private static float[] transpose(float[] a, int r, int c) {
        float[] t = new float[a.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j * r + i] = a[i * c + j];
            }
        }
        return t;
    }

    private static double[] reference(float[] a, float[] b, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    private static void assertClose(double[] expected, float[] actual, float[] before, boolean accumulate) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i] + (accumulate ? before[i] : 0);
            assertEquals(e, actual[i], 1e-4 * (1 + Math.abs(e)), "element " + i);
        }
    }

    @Test
    void theThreeShapesAgreeWithADoublePrecisionProductAtOddSizes() {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 48, 129}, {5, 257, 31}, {9, 31, 257}, {70, 300, 130}};
        for (int[] size : sizes) {
            int m = size[0], n = size[1], k = size[2];
            float[] a = random(m * k, 1 + m);
            float[] b = random(k * n, 2 + n);
            double[] want = reference(a, b, m, n, k);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] before = random(m * n, 3 + k);

                float[] c = before.clone();
                Gemm.mulAB(a, b, c, m, n, k, accumulate);
                assertClose(want, c, before, accumulate);

                c = before.clone();
                Gemm.mulABt(a, transpose(b, k, n), c, m, n, k, accumulate);
                assertClose(want, c, before, accumulate);

                c = before.clone();
                Gemm.mulAtB(transpose(a, m, k), b, c, m, n, k, accumulate);
                assertClose(want, c, before, accumulate);
            }
        }
    }

    /** One product in one shape on the given pool (null: the calling thread alone). */
    private static float[] product(int shape, float[] a, float[] b, float[] before, int m, int n, int k, WorkerPool p) {
        float[] c = before.clone();
        switch (shape) {
            case 0 -> Gemm.mulAB(a, b, c, m, n, k, true, p);
            case 1 -> Gemm.mulABt(a, b, c, m, n, k, true, p);
            default -> Gemm.mulAtB(a, b, c, m, n, k, true, p);
        }
        return c;
    }

    @Test
    void oneTwoAndThreeThreadsGiveIdenticalBitsIncludingEdgeTiles() {
        // Sizes straddle the register tile (8 rows, two vectors of columns), the reduction block (128)
        // and the task split, so edge tiles land on different threads at different thread counts.
        int[][] sizes = {{13, 47, 300}, {96, 64, 128}, {200, 129, 257}, {1, 500, 3}};
        try (WorkerPool two = new WorkerPool(2);
                WorkerPool three = new WorkerPool(3)) {
            for (int[] size : sizes) {
                int m = size[0], n = size[1], k = size[2];
                float[] a = random(m * k, 11 + m);
                float[] b = random(k * n, 12 + n);
                float[] before = random(m * n, 13 + k);
                for (int shape = 0; shape < 3; shape++) {
                    float[] one = product(shape, a, b, before, m, n, k, null);
                    assertArrayEquals(one, product(shape, a, b, before, m, n, k, two), "2 threads, shape " + shape);
                    assertArrayEquals(one, product(shape, a, b, before, m, n, k, three), "3 threads, shape " + shape);
                }
            }
        }
    }

    @Test
    void overwritingIgnoresWhatTheOutputHeldAndAnEmptyReductionGivesZeros() {
        int m = 9, n = 40, k = 0;
        float[] c = random(m * n, 5);
        Gemm.mulABt(new float[0], new float[0], c, m, n, k, false);
        assertArrayEquals(new float[m * n], c);
        float[] a = random(9 * 20, 6);
        float[] b = random(40 * 20, 7);
        float[] fromGarbage = random(m * n, 8);
        float[] fromNaN = new float[m * n];
        Arrays.fill(fromNaN, Float.NaN);
        Gemm.mulABt(a, b, fromGarbage, m, n, 20, false);
        Gemm.mulABt(a, b, fromNaN, m, n, 20, false);
        assertArrayEquals(fromGarbage, fromNaN);
    }
}
