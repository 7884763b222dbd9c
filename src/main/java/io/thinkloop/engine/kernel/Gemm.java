package io.thinkloop.engine.kernel;

import static io.thinkloop.engine.kernel.VectorMath.F;
import static io.thinkloop.engine.kernel.VectorMath.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Dense float32 matrix products over row-major arrays, in the three shapes a linear layer needs:
 * the forward pass ({@code Y = X·Wᵀ}, weights stored {@code out x in} as checkpoints store them),
 * the input gradient ({@code dX = dY·W}) and the weight gradient ({@code dW = dYᵀ·X}).
 *
 * <p>Every method either overwrites or accumulates into {@code c} ({@code accumulate}), so a
 * trainer can sum gradients over micro-batches without a temporary.
 *
 * <p>All three run one blocked kernel (the layout of the classic Goto/BLIS scheme): the reduction
 * dimension is cut into blocks of {@link #KC}; for each block, the right operand is packed into
 * panels of {@link #NR} columns (contiguous, one row of the panel per step, so a panel stays in L1)
 * and the left operand into tiles of {@link #MR} rows (one step's {@code MR} values side by side);
 * a register tile of {@code MR x NR} accumulators then takes one vector FMA per row and vector per
 * step. Packing is where the three shapes differ (which operand is read transposed); the kernel is
 * the same.
 *
 * <p>Results do not depend on the thread count or on how the output is cut into tasks: each output
 * element is one chain of fused multiply-adds over the reduction index in ascending order, starting
 * from zero (or from {@code c} when accumulating), whichever tile and thread computes it. Padding
 * rows and columns of edge tiles are computed on zeros and never stored.
 */
public final class Gemm {
    /** Rows of the register tile (left operand values broadcast per step): 16 accumulators of 32 registers. */
    static final int MR = 8;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Reduction block: an {@code KC x NR} panel (16 KiB at 16 lanes) stays in L1. */
    static final int KC = 128;
    /** Column panels per task: a task's left tiles are packed once for this many panels. */
    private static final int PANELS_PER_TASK = 8;
    /** Register tiles per task at most: the packed left block ({@code 32 x MR x KC}) stays in L2. */
    private static final int TILES_PER_TASK = 32;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    /** The caller's packed right operand (read by the pool's workers during the call). */
    private static final ThreadLocal<Buffers> PACKED_B = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {}

    /** The three operand layouts. */
    private enum Shape {
        /** A[m x k], B[n x k] (read transposed). */
        AB_T,
        /** A[m x k], B[k x n]. */
        AB,
        /** A[k x m] (read transposed), B[k x n]. */
        AT_B
    }

    /** {@code C[m x n] (+)= A[m x k] · B[n x k]ᵀ}: a linear layer's forward pass. */
    public static void mulABt(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        mulABt(a, b, c, m, n, k, accumulate, null);
    }

    /** {@code C[m x n] (+)= A[m x k] · B[n x k]ᵀ} on the pool's threads (same bits as one thread). */
    public static void mulABt(
            float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate, WorkerPool pool) {
        gemm(Shape.AB_T, a, b, c, m, n, k, accumulate, pool);
    }

    /** {@code C[m x n] (+)= A[m x k] · B[k x n]}: the input gradient {@code dX = dY·W}. */
    public static void mulAB(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        mulAB(a, b, c, m, n, k, accumulate, null);
    }

    /** {@code C[m x n] (+)= A[m x k] · B[k x n]} on the pool's threads (same bits as one thread). */
    public static void mulAB(
            float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate, WorkerPool pool) {
        gemm(Shape.AB, a, b, c, m, n, k, accumulate, pool);
    }

    /** {@code C[m x n] (+)= A[k x m]ᵀ · B[k x n]}: the weight gradient {@code dW = dYᵀ·X}. */
    public static void mulAtB(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        mulAtB(a, b, c, m, n, k, accumulate, null);
    }

    /** {@code C[m x n] (+)= A[k x m]ᵀ · B[k x n]} on the pool's threads (same bits as one thread). */
    public static void mulAtB(
            float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate, WorkerPool pool) {
        gemm(Shape.AT_B, a, b, c, m, n, k, accumulate, pool);
    }

    private static void gemm(
            Shape shape, float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate, WorkerPool pool) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size " + m + "x" + n + "x" + k);
        }
        if (a.length < (long) m * k || b.length < (long) n * k || c.length < (long) m * n) {
            throw new IllegalArgumentException("array shorter than its " + m + "x" + n + "x" + k + " operand");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                Arrays.fill(c, 0, m * n, 0f);
            }
            return;
        }
        int threads = pool == null ? 1 : pool.threads();
        int mTiles = (m + MR - 1) / MR;
        int panels = (n + NR - 1) / NR;
        int colTasks = (panels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        // Enough tasks for the pool to balance (4 per thread), but no task larger than L2 allows.
        int rowTasks =
                Math.max((4 * threads + colTasks - 1) / colTasks, (mTiles + TILES_PER_TASK - 1) / TILES_PER_TASK);
        rowTasks = Math.min(Math.max(1, rowTasks), mTiles);
        int tilesPerTask = (mTiles + rowTasks - 1) / rowTasks;
        int rowTasksFinal = (mTiles + tilesPerTask - 1) / tilesPerTask;
        int panelsPerTask = (panels + colTasks - 1) / colTasks;
        int tasks = rowTasksFinal * colTasks;
        // The right operand is packed once for all row tasks: panel-major within each reduction block.
        float[] bp = PACKED_B.get().a(k * panels * NR);
        WorkerPool.Range pack = (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                int j = q * NR;
                int nr = Math.min(NR, n - j);
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    packB(shape, b, n, k, j, nr, p0, kc, bp, p0 * panels * NR + q * kc * NR);
                }
            }
        };
        WorkerPool.Range body = (t0, t1) -> {
            Buffers buf = BUFFERS.get();
            for (int t = t0; t < t1; t++) {
                int rt = t / colTasks;
                int ct = t % colTasks;
                int i0 = rt * tilesPerTask * MR;
                int i1 = Math.min(m, i0 + tilesPerTask * MR);
                int j0 = ct * panelsPerTask * NR;
                int j1 = Math.min(n, j0 + panelsPerTask * NR);
                block(shape, a, bp, panels, c, m, n, k, accumulate, i0, i1, j0, j1, buf);
            }
        };
        if (pool == null || threads == 1) {
            pack.run(0, panels);
            body.run(0, tasks);
        } else {
            pool.parallelFor(panels, 1, pack);
            pool.parallelFor(tasks, 1, body);
        }
    }

    /** Thread-local packing buffers and the edge-tile scratch. */
    private static final class Buffers {
        float[] a = new float[0];
        final float[] edge = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }
    }

    /** Computes {@code C[i0..i1) x [j0..j1)}. */
    private static void block(
            Shape shape,
            float[] a,
            float[] bp,
            int panels,
            float[] c,
            int m,
            int n,
            int k,
            boolean accumulate,
            int i0,
            int i1,
            int j0,
            int j1,
            Buffers buf) {
        int tiles = (i1 - i0 + MR - 1) / MR;
        float[] ap = buf.a(tiles * MR * KC);
        float[] edge = buf.edge;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean load = accumulate || p0 > 0;
            packA(shape, a, m, k, i0, i1, p0, kc, ap);
            for (int j = j0; j < j1; j += NR) {
                int nr = Math.min(NR, j1 - j);
                int bOff = p0 * panels * NR + (j / NR) * kc * NR;
                for (int tile = 0; tile < tiles; tile++) {
                    int i = i0 + tile * MR;
                    int mr = Math.min(MR, i1 - i);
                    if (mr == MR && nr == NR) {
                        kernel(ap, tile * MR * kc, bp, bOff, kc, c, i * n + j, n, load);
                    } else {
                        if (load) {
                            for (int r = 0; r < mr; r++) {
                                System.arraycopy(c, (i + r) * n + j, edge, r * NR, nr);
                            }
                        }
                        kernel(ap, tile * MR * kc, bp, bOff, kc, edge, 0, NR, load);
                        for (int r = 0; r < mr; r++) {
                            System.arraycopy(edge, r * NR, c, (i + r) * n + j, nr);
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows {@code [i0, i1)} of the left operand over reduction indices {@code [p0, p0+kc)} into tiles of
     * {@code MR} rows: {@code ap[tile*MR*kc + p*MR + r] = A(i0 + tile*MR + r, p0 + p)}, zero past i1.
     */
    private static void packA(Shape shape, float[] a, int m, int k, int i0, int i1, int p0, int kc, float[] ap) {
        int tiles = (i1 - i0 + MR - 1) / MR;
        for (int tile = 0; tile < tiles; tile++) {
            int base = tile * MR * kc;
            int i = i0 + tile * MR;
            int mr = Math.min(MR, i1 - i);
            if (shape == Shape.AT_B) {
                // A is stored [k x m]: one step's MR values are contiguous.
                for (int p = 0; p < kc; p++) {
                    int src = (p0 + p) * m + i;
                    int dst = base + p * MR;
                    for (int r = 0; r < MR; r++) {
                        ap[dst + r] = r < mr ? a[src + r] : 0f;
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = (i + r) * k + p0;
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Columns {@code [j, j+nr)} of the right operand over {@code [p0, p0+kc)} into one panel:
     * {@code bp[p*NR + q] = B(p0 + p, j + q)}, zero for {@code q >= nr}.
     */
    private static void packB(
            Shape shape, float[] b, int n, int k, int j, int nr, int p0, int kc, float[] bp, int off) {
        if (shape == Shape.AB_T) {
            // B is stored [n x k]: transpose a strip of nr rows (vector gathers measured slower).
            for (int q = 0; q < nr; q++) {
                int src = (j + q) * k + p0;
                for (int p = 0; p < kc; p++) {
                    bp[off + p * NR + q] = b[src + p];
                }
            }
            if (nr < NR) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(bp, off + p * NR + nr, off + p * NR + NR, 0f);
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, (p0 + p) * n + j, bp, off + p * NR, nr);
                if (nr < NR) {
                    Arrays.fill(bp, off + p * NR + nr, off + p * NR + NR, 0f);
                }
            }
        }
    }

    private static final ThreadLocal<int[]> STRIDE = ThreadLocal.withInitial(() -> new int[L + 1]);

    /**
     * The register tile: {@code C[MR x NR] (at cOff, row stride ldc) = (load ? C : 0) + Ap · Bp} over
     * {@code kc} steps, one FMA chain per element.
     */
    private static void kernel(
            float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (load) {
            c00 = FloatVector.fromArray(F, c, cOff);
            c01 = FloatVector.fromArray(F, c, cOff + L);
            c10 = FloatVector.fromArray(F, c, cOff + ldc);
            c11 = FloatVector.fromArray(F, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, cOff + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, cOff + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, cOff + 7 * ldc + L);
        } else {
            c00 = FloatVector.zero(F);
            c01 = c00;
            c10 = c00;
            c11 = c00;
            c20 = c00;
            c21 = c00;
            c30 = c00;
            c31 = c00;
            c40 = c00;
            c41 = c00;
            c50 = c00;
            c51 = c00;
            c60 = c00;
            c61 = c00;
            c70 = c00;
            c71 = c00;
        }
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, ap[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + L);
    }
}
