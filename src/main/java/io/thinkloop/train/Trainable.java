package io.thinkloop.train;

import java.util.List;

/**
 * A model the training loop can optimise: it owns its parameters and, for one token sequence,
 * runs the forward and backward passes, adding the gradient of the summed loss to each
 * parameter's {@code grad}. The loop decides batching, scaling and the optimizer step.
 */
public interface Trainable {
    /** Every trainable tensor, in a fixed order (checkpoints and optimizer state follow it). */
    List<Parameter> parameters();

    /**
     * Forward and backward over {@code tokens}: position {@code t} predicts {@code tokens[t + 1]},
     * and its cross-entropy counts with weight {@code lossWeight[t]} (0 for text the model does not
     * write, such as tool results and user turns; {@code lossWeight.length == tokens.length - 1}).
     * Adds {@code d(sum_t lossWeight[t] * ce_t)/dθ} to the gradients and returns that weighted sum
     * along with auxiliary losses (such as the indexer's KL) that were also back-propagated.
     */
    StepLoss forwardBackward(int[] tokens, float[] lossWeight);

    /** The loss of one sequence: the weighted LM cross-entropy sum, its weight, and auxiliary terms. */
    record StepLoss(double lmLossSum, double weightSum, double auxLoss) {
        public double meanLmLoss() {
            return weightSum == 0 ? 0 : lmLossSum / weightSum;
        }
    }
}
