package io.thinkloop.train.grpo;

/**
 * GRPO's per-sequence objective, as the coefficient it puts on each generated token's log-probability
 * under the current policy: {@code c_t = ∂L/∂ log π_θ(o_t)}. The learner then back-propagates
 * {@code Σ c_t · log π_θ(o_t)} through the model, which gives exactly ∂L/∂θ.
 *
 * <p>L = scale · Σ_t [ −min(ρ_t·A, clip(ρ_t, 1−ε_low, 1+ε_high)·A) + β·KL_t ], with the importance ratio
 * ρ_t = π_θ/π_old. The KL term is the K3 estimator k3 = r − ln r − 1 with r = π_ref/π_θ; weighted by ρ_t
 * (DeepSeek-V3.2's unbiased form, since tokens come from π_old) its gradient simplifies to
 * {@code ρ_t · (ln π_θ − ln π_ref)}; unweighted it is {@code 1 − r}.
 */
public final class PolicyObjective {
    private PolicyObjective() {}

    /**
     * The coefficients of one sequence, and what happened to it.
     *
     * @param coefficients per position (0 where nothing was generated or the sequence was masked)
     * @param clipped generated tokens whose ratio was clipped (no gradient from the policy term)
     * @param oldVsNewKl mean per-token estimate of KL(π_old‖π_θ), ln π_old − ln π_θ averaged
     * @param masked left out by off-policy sequence masking
     */
    public record Sequence(
            float[] coefficients,
            double loss,
            int tokens,
            int clipped,
            double oldVsNewKl,
            double klToRef,
            boolean masked) {}

    /** Advantages of a group: reward minus the group's mean reward. */
    public static double[] advantages(double[] rewards) {
        double mean = 0;
        for (double r : rewards) {
            mean += r;
        }
        mean /= rewards.length;
        double[] a = new double[rewards.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = rewards[i] - mean;
        }
        return a;
    }

    /**
     * @param lpNew log π_θ per position, {@code lpOld} the rollout policy's, {@code lpRef} the reference
     *     policy's (null when β = 0)
     * @param scale the sequence's share of the batch loss, e.g. 1 / (group size · generated tokens)
     */
    public static Sequence coefficients(
            double advantage,
            float[] lpNew,
            float[] lpOld,
            float[] lpRef,
            boolean[] generated,
            GrpoSettings s,
            double scale) {
        int n = generated.length;
        float[] c = new float[n];
        int tokens = 0;
        double oldVsNew = 0;
        for (int t = 0; t < n; t++) {
            if (generated[t]) {
                tokens++;
                oldVsNew += lpOld[t] - lpNew[t];
            }
        }
        oldVsNew = tokens == 0 ? 0 : oldVsNew / tokens;
        if (tokens == 0 || (s.offPolicyMasking() && advantage < 0 && oldVsNew > s.offPolicyMaskDelta())) {
            return new Sequence(c, 0, tokens, 0, oldVsNew, 0, tokens > 0);
        }
        double loss = 0;
        double kl = 0;
        int clipped = 0;
        for (int t = 0; t < n; t++) {
            if (!generated[t]) {
                continue;
            }
            double ratio = Math.exp(lpNew[t] - lpOld[t]);
            double clippedRatio = Math.max(1 - s.clipLow(), Math.min(1 + s.clipHigh(), ratio));
            double unclipped = ratio * advantage;
            double bounded = clippedRatio * advantage;
            double coefficient;
            if (unclipped <= bounded) {
                loss -= unclipped;
                coefficient = -unclipped; // d(−ρA)/d ln π_θ = −ρA
            } else {
                loss -= bounded;
                coefficient = 0;
                clipped++;
            }
            if (s.klCoef() > 0) {
                double logR = lpRef[t] - lpNew[t];
                double k3 = Math.exp(logR) - logR - 1;
                if (s.unbiasedKl()) {
                    loss += s.klCoef() * ratio * k3;
                    coefficient += s.klCoef() * ratio * (lpNew[t] - lpRef[t]);
                    kl += ratio * k3;
                } else {
                    loss += s.klCoef() * k3;
                    coefficient += s.klCoef() * (1 - Math.exp(logR));
                    kl += k3;
                }
            }
            c[t] = (float) (scale * coefficient);
        }
        return new Sequence(c, scale * loss, tokens, clipped, oldVsNew, kl / tokens, false);
    }
}
