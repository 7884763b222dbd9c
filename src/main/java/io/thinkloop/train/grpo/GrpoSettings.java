package io.thinkloop.train.grpo;

/**
 * The objective's knobs. Every stabilizer can be switched off so its effect can be shown against the
 * plain objective.
 *
 * @param clipLow PPO ratio clip below 1 (the ratio may fall to {@code 1 − clipLow} before its gradient stops)
 * @param clipHigh PPO ratio clip above 1
 * @param klCoef β, the weight of the KL penalty towards the reference policy (0: no penalty, and no
 *     reference forward pass)
 * @param unbiasedKl weight the K3 estimator by the importance ratio π_θ/π_old, which makes it unbiased for
 *     KL(π_θ‖π_ref) although tokens were sampled from π_old; off: plain K3 (biased once the policy moved)
 * @param offPolicyMaskDelta leave out a sequence with negative advantage whose mean per-token KL between the
 *     rollout policy and the current one exceeds this (NaN: off). Such sequences are both stale and pushed
 *     down, which is where off-policy updates do most harm.
 * @param keepRouting the training forward uses the experts chosen when the rollout was generated
 * @param keepSamplingMask the top-k/top-p set kept at sampling time also bounds both policies' softmax in
 *     the loss, so π_old and π_θ are compared over the same action space
 */
public record GrpoSettings(
        double clipLow,
        double clipHigh,
        double klCoef,
        boolean unbiasedKl,
        double offPolicyMaskDelta,
        boolean keepRouting,
        boolean keepSamplingMask) {

    /** Everything on, with the usual clip of 0.2 and a small KL weight. */
    public static GrpoSettings defaults() {
        return new GrpoSettings(0.2, 0.2, 0.01, true, 0.05, true, true);
    }

    /** The plain clipped objective: no stabilizer. */
    public static GrpoSettings plain() {
        return new GrpoSettings(0.2, 0.2, 0.0, false, Double.NaN, false, false);
    }

    public GrpoSettings {
        if (!(clipLow > 0 && clipLow < 1) || !(clipHigh > 0)) {
            throw new IllegalArgumentException("clip must be in (0, 1) below and positive above");
        }
        if (!(klCoef >= 0)) {
            throw new IllegalArgumentException("klCoef must be >= 0");
        }
    }

    public boolean offPolicyMasking() {
        return !Double.isNaN(offPolicyMaskDelta);
    }

    public GrpoSettings withKl(double beta, boolean unbiased) {
        return new GrpoSettings(clipLow, clipHigh, beta, unbiased, offPolicyMaskDelta, keepRouting, keepSamplingMask);
    }

    public GrpoSettings withOffPolicyMask(double delta) {
        return new GrpoSettings(clipLow, clipHigh, klCoef, unbiasedKl, delta, keepRouting, keepSamplingMask);
    }

    public GrpoSettings withKeepRouting(boolean on) {
        return new GrpoSettings(clipLow, clipHigh, klCoef, unbiasedKl, offPolicyMaskDelta, on, keepSamplingMask);
    }

    public GrpoSettings withKeepSamplingMask(boolean on) {
        return new GrpoSettings(clipLow, clipHigh, klCoef, unbiasedKl, offPolicyMaskDelta, keepRouting, on);
    }
}
