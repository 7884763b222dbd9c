package io.thinkloop.engine;

import io.thinkloop.engine.checkpoint.ModelConfig;

/**
 * Rotary position tables with YaRN frequency correction, computed as the reference does (frequencies
 * in float32), and the two pairings: MLA rotates adjacent pairs (interleaved), the indexer rotates
 * (i, i + d/2) pairs (non-interleaved).
 */
public final class Rope {
    private Rope() {}

    /** The per-pair rotation frequencies (YaRN-corrected when the config says so); the trainer shares them. */
    public static float[] frequencies(ModelConfig c) {
        int dim = c.qkRopeHeadDim();
        int half = dim / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) (1.0 / (float) Math.pow(c.ropeTheta(), (float) (2 * i) / (float) dim));
        }
        if (c.yarnActive()) {
            ModelConfig.Yarn y = c.yarn();
            double low = Math.floor(correctionDim(y.betaFast(), dim, c.ropeTheta(), y.originalMaxPositionEmbeddings()));
            double high = Math.ceil(correctionDim(y.betaSlow(), dim, c.ropeTheta(), y.originalMaxPositionEmbeddings()));
            low = Math.max(low, 0);
            high = Math.min(high, dim - 1);
            if (low == high) {
                high += 0.001;
            }
            for (int i = 0; i < half; i++) {
                float ramp = (float) ((i - low) / (high - low));
                ramp = Math.min(1f, Math.max(0f, ramp));
                float smooth = 1f - ramp;
                f[i] = f[i] / (float) y.factor() * (1f - smooth) + f[i] * smooth;
            }
        }
        return f;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxSeqLen) {
        return dim * Math.log(maxSeqLen / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** Fills cos/sin tables of {@code positions x half}. */
    public static void tables(float[] freqs, int positions, float[] cos, float[] sin) {
        int half = freqs.length;
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * freqs[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    static void interleaved(float[] x, int off, int pos, int half, float[] cos, float[] sin) {
        int t = pos * half;
        for (int i = 0; i < half; i++) {
            float a = x[off + 2 * i];
            float b = x[off + 2 * i + 1];
            float c = cos[t + i];
            float s = sin[t + i];
            x[off + 2 * i] = a * c - b * s;
            x[off + 2 * i + 1] = a * s + b * c;
        }
    }

    static void halves(float[] x, int off, int pos, int half, float[] cos, float[] sin) {
        int t = pos * half;
        for (int i = 0; i < half; i++) {
            float a = x[off + i];
            float b = x[off + i + half];
            float c = cos[t + i];
            float s = sin[t + i];
            x[off + i] = a * c - b * s;
            x[off + i + half] = a * s + b * c;
        }
    }
}
