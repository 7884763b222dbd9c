package io.thinkloop.train.ops;

/**
 * Weighted next-token cross-entropy on rows of logits (natural log): row {@code r} costs
 * {@code weight · (logsumexp(logits[r]) − logits[r][target])}. Computed a chunk of rows at a time by
 * the caller, so the {@code tokens x vocabulary} logits never exist whole.
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Returns the weighted loss of row {@code r} and, when {@code grad}, replaces the row by its
     * gradient {@code weight · (softmax − onehot(target))}.
     */
    public static double row(float[] logits, int r, int vocab, int target, float weight, boolean grad) {
        int o = r * vocab;
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[o + v]);
        }
        double z = 0;
        for (int v = 0; v < vocab; v++) {
            z += Math.exp(logits[o + v] - max);
        }
        double logZ = Math.log(z) + max;
        double loss = weight * (logZ - logits[o + target]);
        if (grad) {
            for (int v = 0; v < vocab; v++) {
                logits[o + v] = (float) (weight * Math.exp(logits[o + v] - logZ));
            }
            logits[o + target] -= weight;
        }
        return loss;
    }
}
