package io.thinkloop.train.ops;

/**
 * Rotary position embedding on one vector, in the two pairings the model uses: MLA rotates
 * adjacent pairs (interleaved), the indexer rotates {@code (i, i + half)} (non-interleaved). The
 * tables are the engine's (YaRN-corrected, {@code positions x half}); a rotation is orthogonal, so
 * the backward pass is the rotation by the negative angle ({@code inverse = true}).
 */
public final class Rotary {
    private Rotary() {}

    public static void interleaved(float[] x, int off, int pos, int half, float[] cos, float[] sin, boolean inverse) {
        int t = pos * half;
        for (int i = 0; i < half; i++) {
            float a = x[off + 2 * i];
            float b = x[off + 2 * i + 1];
            float c = cos[t + i];
            float s = inverse ? -sin[t + i] : sin[t + i];
            x[off + 2 * i] = a * c - b * s;
            x[off + 2 * i + 1] = a * s + b * c;
        }
    }

    public static void halves(float[] x, int off, int pos, int half, float[] cos, float[] sin, boolean inverse) {
        int t = pos * half;
        for (int i = 0; i < half; i++) {
            float a = x[off + i];
            float b = x[off + i + half];
            float c = cos[t + i];
            float s = inverse ? -sin[t + i] : sin[t + i];
            x[off + i] = a * c - b * s;
            x[off + i + half] = a * s + b * c;
        }
    }
}
