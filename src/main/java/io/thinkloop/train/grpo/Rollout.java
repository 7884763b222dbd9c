package io.thinkloop.train.grpo;

import io.thinkloop.train.model.Routing;

/**
 * One sampled sequence as the learner needs it: position {@code t} predicts {@code tokens[t + 1]};
 * {@code generated[t]} says whether the policy wrote that token (prompt, tool results and user text
 * are not trained on); {@code logprobs[t]} is its log-probability under the rollout policy's sampling
 * distribution (temperature and kept set applied). {@code routing}: the experts chosen while it was
 * generated (null: unknown); {@code kept[t]}: the token ids the sampler kept at position t (top-k/top-p;
 * null: the whole vocabulary, or not recorded).
 */
public record Rollout(
        int[] tokens,
        boolean[] generated,
        float[] logprobs,
        double temperature,
        double reward,
        Routing routing,
        int[][] kept) {
    public Rollout {
        if (generated.length != tokens.length - 1 || logprobs.length != tokens.length - 1) {
            throw new IllegalArgumentException("generated and logprobs need one entry per predicted token");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("a sampled rollout has a positive temperature");
        }
    }

    public int generatedCount() {
        int n = 0;
        for (boolean g : generated) {
            n += g ? 1 : 0;
        }
        return n;
    }
}
