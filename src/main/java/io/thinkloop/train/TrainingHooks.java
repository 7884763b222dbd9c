package io.thinkloop.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the training loop asks of a model beyond {@link Trainable}, each optional (a model implements this
 * interface alongside {@code Trainable}; the loop checks with {@code instanceof}). Kept apart from
 * {@code Trainable} so that a toy model in a test stays four lines, and a real model opts into each hook.
 */
public interface TrainingHooks {
    /**
     * Called once after every optimizer step: where a model applies updates that are not gradients, such as
     * the MoE auxiliary-loss-free balancing of {@code e_score_correction_bias} over the tokens of that step.
     */
    default void afterOptimizerStep() {}

    /**
     * Float state that is not trained by gradient but changes during training (the MoE correction biases):
     * saved in the loop's checkpoints and restored on resume, so that resuming is exact. Values only; the
     * {@code grad} arrays are ignored.
     */
    default List<Parameter> buffers() {
        return List.of();
    }

    /**
     * The loss of one sequence without touching gradients or training state (for eval), or null when the model
     * has no forward-only path; the loop then runs {@code forwardBackward} and discards the gradient.
     */
    default Trainable.StepLoss evalLoss(int[] tokens, float[] lossWeight) {
        return null;
    }

    /** Whether {@link #writeCheckpoint} writes something the engine loads. */
    default boolean canWriteCheckpoint() {
        return false;
    }

    /** Writes the current weights as a checkpoint directory the engine loads ({@code config.json} + safetensors). */
    default void writeCheckpoint(Path dir) throws IOException {
        throw new UnsupportedOperationException("this model cannot write an engine checkpoint");
    }
}
