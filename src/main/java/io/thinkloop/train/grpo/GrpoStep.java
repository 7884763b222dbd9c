package io.thinkloop.train.grpo;

import io.thinkloop.train.model.Routing;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.util.List;

/**
 * One learner step's gradients for one group of rollouts of a task: the current policy's log-probabilities
 * (a forward pass, with the rollout's experts and kept sets when those stabilizers are on), the reference
 * policy's when β > 0, the objective's coefficients, then one forward and backward pass per sequence that
 * adds ∂L/∂θ to the model's gradients. The optimizer step is the caller's.
 */
public final class GrpoStep {
    private GrpoStep() {}

    /** What the step saw: mean reward, tokens trained on, clipped tokens, sequences masked, mean KL to the reference. */
    public record Stats(double meanReward, double loss, int tokens, int clipped, int masked, double klToRef) {}

    public static Stats accumulate(
            TrainableModel policy, TrainableModel reference, List<Rollout> group, GrpoSettings s) {
        double[] rewards = group.stream().mapToDouble(Rollout::reward).toArray();
        double[] adv = PolicyObjective.advantages(rewards);
        double loss = 0, kl = 0;
        int tokens = 0, clipped = 0, masked = 0, klSequences = 0;
        for (int i = 0; i < group.size(); i++) {
            Rollout r = group.get(i);
            if (adv[i] == 0 && s.klCoef() == 0) {
                continue; // no signal: every sample of the task scored the same
            }
            Routing routing = s.keepRouting() ? r.routing() : null;
            float[] lpNew = logprobs(policy, r, routing, s);
            float[] lpRef = s.klCoef() > 0 ? logprobs(reference, r, null, s) : null;
            double scale = 1.0 / (group.size() * Math.max(1, r.generatedCount()));
            PolicyObjective.Sequence seq =
                    PolicyObjective.coefficients(adv[i], lpNew, r.logprobs(), lpRef, r.generated(), s, scale);
            tokens += seq.tokens();
            clipped += seq.clipped();
            if (seq.masked()) {
                masked++;
                continue;
            }
            loss += seq.loss();
            if (s.klCoef() > 0) {
                kl += seq.klToRef();
                klSequences++;
            }
            float[] c = seq.coefficients();
            int[][] kept = s.keepSamplingMask() ? r.kept() : null;
            policy.forwardBackward(
                    r.tokens(),
                    weights(r),
                    Stage.SPARSE,
                    routing,
                    (logits, row, vocab, position, target, weight, grad) -> {
                        PolicyLogProb.gradient(
                                logits,
                                row * vocab,
                                vocab,
                                target,
                                r.temperature(),
                                kept == null ? null : kept[position],
                                c[position]);
                        return 0;
                    });
        }
        double mean = 0;
        for (double x : rewards) {
            mean += x;
        }
        return new Stats(mean / rewards.length, loss, tokens, clipped, masked, klSequences == 0 ? 0 : kl / klSequences);
    }

    /** log π per position under {@code model}'s sampling distribution (0 where the policy wrote nothing). */
    public static float[] logprobs(TrainableModel model, Rollout r, Routing routing, GrpoSettings s) {
        float[] lp = new float[r.generated().length];
        int[][] kept = s.keepSamplingMask() ? r.kept() : null;
        model.loss(r.tokens(), weights(r), Stage.SPARSE, routing, (logits, row, vocab, position, target, w, g) -> {
            lp[position] = (float) PolicyLogProb.of(
                    logits, row * vocab, vocab, target, r.temperature(), kept == null ? null : kept[position]);
            return 0;
        });
        return lp;
    }

    private static float[] weights(Rollout r) {
        float[] w = new float[r.generated().length];
        for (int t = 0; t < w.length; t++) {
            w[t] = r.generated()[t] ? 1f : 0f;
        }
        return w;
    }
}
