package io.thinkloop.train.ops;

import io.thinkloop.engine.kernel.Gemm;

/**
 * A linear layer without bias, {@code y = x·Wᵀ} with {@code W} stored {@code out x in} as checkpoints
 * store it. The three products are the engine's {@link Gemm} kernels, so the trainer's speed follows
 * the engine's matmul.
 */
public final class Linear {
    private Linear() {}

    /** {@code y[rows x out] = x[rows x in] · w[out x in]ᵀ}. */
    public static void forward(float[] x, float[] w, float[] y, int rows, int out, int in) {
        Gemm.mulABt(x, w, y, rows, out, in, false);
    }

    /**
     * Given {@code dy[rows x out]}: {@code dx (+)= dy·w} when {@code dx} is not null (added when
     * {@code accumulateDx}), and {@code dw += dyᵀ·x} when {@code dw} is not null.
     */
    public static void backward(
            float[] dy, float[] x, float[] w, float[] dx, boolean accumulateDx, float[] dw, int rows, int out, int in) {
        if (dx != null) {
            Gemm.mulAB(dy, w, dx, rows, in, out, accumulateDx);
        }
        if (dw != null) {
            Gemm.mulAtB(dy, x, dw, out, in, rows, true);
        }
    }
}
