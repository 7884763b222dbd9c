package io.thinkloop.engine.kernel;

import java.util.Arrays;

/**
 * Dense float32 matrix products over row-major arrays, in the three shapes a linear layer needs:
 * the forward pass ({@code Y = X·Wᵀ}, weights stored {@code out x in} as checkpoints store them),
 * the input gradient ({@code dX = dY·W}) and the weight gradient ({@code dW = dYᵀ·X}).
 *
 * <p>Every method either overwrites or accumulates into {@code c} ({@code accumulate}), so a
 * trainer can sum gradients over micro-batches without a temporary. Results do not depend on the
 * thread count: each output element is reduced in one fixed order.
 */
public final class Gemm {
    private Gemm() {}

    /** {@code C[m x n] (+)= A[m x k] · B[n x k]ᵀ}: a linear layer's forward pass. */
    public static void mulABt(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = VectorMath.dot(a, i * k, b, j * k, k);
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
        }
    }

    /** {@code C[m x n] (+)= A[m x k] · B[k x n]}: the input gradient {@code dX = dY·W}. */
    public static void mulAB(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            if (!accumulate) {
                Arrays.fill(c, i * n, i * n + n, 0f);
            }
            for (int p = 0; p < k; p++) {
                VectorMath.axpy(a[i * k + p], b, p * n, c, i * n, n);
            }
        }
    }

    /** {@code C[m x n] (+)= A[k x m]ᵀ · B[k x n]}: the weight gradient {@code dW = dYᵀ·X}. */
    public static void mulAtB(float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate) {
        if (!accumulate) {
            Arrays.fill(c, 0, m * n, 0f);
        }
        for (int p = 0; p < k; p++) {
            for (int i = 0; i < m; i++) {
                VectorMath.axpy(a[p * m + i], b, p * n, c, i * n, n);
            }
        }
    }
}
