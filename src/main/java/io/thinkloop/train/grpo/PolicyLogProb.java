package io.thinkloop.train.grpo;

import java.util.Arrays;

/**
 * A token's log-probability under the sampling distribution, {@code softmax(logits / T)} restricted to
 * the kept set (the whole vocabulary when it is null), and the gradient of {@code c · log p} with
 * respect to the logits: {@code c · (onehot − p) / T} on kept ids, 0 elsewhere.
 */
public final class PolicyLogProb {
    private PolicyLogProb() {}

    public static double of(float[] logits, int offset, int vocab, int token, double temperature, int[] kept) {
        return compute(logits, offset, vocab, token, temperature, kept, 0, false);
    }

    /** Replaces the row by the gradient of {@code coefficient · log p(token)}; returns log p(token). */
    public static double gradient(
            float[] logits, int offset, int vocab, int token, double temperature, int[] kept, double coefficient) {
        return compute(logits, offset, vocab, token, temperature, kept, coefficient, true);
    }

    private static double compute(
            float[] logits,
            int offset,
            int vocab,
            int token,
            double temperature,
            int[] kept,
            double coefficient,
            boolean grad) {
        double inv = 1 / temperature;
        double max = Double.NEGATIVE_INFINITY;
        int n = kept == null ? vocab : kept.length;
        boolean tokenKept = kept == null;
        for (int i = 0; i < n; i++) {
            int v = kept == null ? i : kept[i];
            max = Math.max(max, logits[offset + v] * inv);
            tokenKept |= v == token;
        }
        if (!tokenKept) {
            throw new IllegalArgumentException("token " + token + " is outside the kept set it was sampled from");
        }
        double z = 0;
        for (int i = 0; i < n; i++) {
            int v = kept == null ? i : kept[i];
            z += Math.exp(logits[offset + v] * inv - max);
        }
        double logZ = Math.log(z) + max;
        double logp = logits[offset + token] * inv - logZ;
        if (grad) {
            double scale = coefficient * inv;
            if (kept == null) {
                for (int v = 0; v < vocab; v++) {
                    logits[offset + v] = (float) (-scale * Math.exp(logits[offset + v] * inv - logZ));
                }
            } else {
                float[] p = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = (float) Math.exp(logits[offset + kept[i]] * inv - logZ);
                }
                Arrays.fill(logits, offset, offset + vocab, 0f);
                for (int i = 0; i < n; i++) {
                    logits[offset + kept[i]] = (float) (-scale * p[i]);
                }
            }
            logits[offset + token] += (float) scale;
        }
        return logp;
    }
}
