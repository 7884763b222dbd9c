package io.thinkloop.train.ops;

import io.thinkloop.engine.kernel.VectorMath;

/**
 * RMSNorm and LayerNorm (with bias) over rows of a strided array: row {@code r} of width {@code n}
 * starts at {@code off + r * stride}, so a norm can act on the first columns of a wider row (the kv
 * latent inside {@code [latent | k_pe]}). Forward values follow the engine's arithmetic exactly
 * (RMS from a float dot product, LayerNorm statistics in double), so training sees what inference sees.
 */
public final class Norm {
    private Norm() {}

    /**
     * {@code out = x / sqrt(mean(x^2) + eps) * w} per row; {@code inv[r]} receives the row's
     * {@code 1/rms} for the backward pass. {@code out} may be {@code x}.
     */
    public static void rmsForward(
            float[] x, int xStride, float[] out, int outStride, int rows, int n, float[] w, float eps, float[] inv) {
        for (int r = 0; r < rows; r++) {
            int xo = r * xStride;
            float ss = VectorMath.dot(x, xo, x, xo, n);
            float iv = (float) (1.0 / Math.sqrt(ss / n + eps));
            inv[r] = iv;
            int oo = r * outStride;
            for (int i = 0; i < n; i++) {
                out[oo + i] = x[xo + i] * iv * w[i];
            }
        }
    }

    /**
     * Backward of {@link #rmsForward}: adds {@code dL/dx} into {@code dx} (when not null) and
     * {@code dL/dw} into {@code dw} (when not null). {@code x} is the forward input.
     */
    public static void rmsBackward(
            float[] x,
            int xStride,
            float[] dy,
            int dyStride,
            float[] dx,
            int dxStride,
            int rows,
            int n,
            float[] w,
            float[] inv,
            float[] dw) {
        for (int r = 0; r < rows; r++) {
            int xo = r * xStride;
            int yo = r * dyStride;
            float iv = inv[r];
            if (dw != null) {
                for (int i = 0; i < n; i++) {
                    dw[i] += dy[yo + i] * x[xo + i] * iv;
                }
            }
            if (dx != null) {
                float gx = 0;
                for (int i = 0; i < n; i++) {
                    gx += dy[yo + i] * w[i] * x[xo + i];
                }
                float c = gx * iv * iv * iv / n;
                int go = r * dxStride;
                for (int i = 0; i < n; i++) {
                    dx[go + i] += dy[yo + i] * w[i] * iv - x[xo + i] * c;
                }
            }
        }
    }

    /**
     * LayerNorm (biased variance) per row of width {@code n} (contiguous rows):
     * {@code out = (x - mean) / sqrt(var + eps) * w + b}; saves {@code mean[r]} and {@code inv[r]}.
     */
    public static void layerForward(
            float[] x, float[] out, int rows, int n, float[] w, float[] b, float eps, float[] mean, float[] inv) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double m = 0;
            for (int i = 0; i < n; i++) {
                m += x[o + i];
            }
            m /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                double d = x[o + i] - m;
                var += d * d;
            }
            var /= n;
            float iv = (float) (1.0 / Math.sqrt(var + eps));
            float mf = (float) m;
            mean[r] = mf;
            inv[r] = iv;
            for (int i = 0; i < n; i++) {
                out[o + i] = (x[o + i] - mf) * iv * w[i] + b[i];
            }
        }
    }

    /** Backward of {@link #layerForward}: adds into {@code dx}, {@code dw}, {@code db} (each may be null). */
    public static void layerBackward(
            float[] x,
            float[] dy,
            float[] dx,
            int rows,
            int n,
            float[] w,
            float[] mean,
            float[] inv,
            float[] dw,
            float[] db) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float m = mean[r];
            float iv = inv[r];
            float sg = 0;
            float sgx = 0;
            for (int i = 0; i < n; i++) {
                float xh = (x[o + i] - m) * iv;
                float g = dy[o + i] * w[i];
                sg += g;
                sgx += g * xh;
                if (dw != null) {
                    dw[i] += dy[o + i] * xh;
                }
                if (db != null) {
                    db[i] += dy[o + i];
                }
            }
            if (dx != null) {
                sg /= n;
                sgx /= n;
                for (int i = 0; i < n; i++) {
                    float xh = (x[o + i] - m) * iv;
                    dx[o + i] += iv * (dy[o + i] * w[i] - sg - xh * sgx);
                }
            }
        }
    }
}
