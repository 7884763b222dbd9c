package io.thinkloop.train.ops;

/**
 * The loss on one position's next-token logits, written as the output head sees it: the default is
 * {@link CrossEntropy#row}; reinforcement learning swaps in its own (a policy-gradient coefficient on
 * the token's log-probability, over the vocabulary kept at sampling time).
 */
@FunctionalInterface
public interface TokenLoss {
    TokenLoss CROSS_ENTROPY = (logits, row, vocab, position, target, weight, grad) ->
            CrossEntropy.row(logits, row, vocab, target, weight, grad);

    /**
     * Returns the loss of logits row {@code row} (sequence position {@code position}, whose next token
     * is {@code target}) and, when {@code grad}, replaces the row by the loss's gradient.
     */
    double row(float[] logits, int row, int vocab, int position, int target, float weight, boolean grad);
}
