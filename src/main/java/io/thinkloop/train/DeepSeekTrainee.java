package io.thinkloop.train;

import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DeepSeek-V3.2 {@link TrainableModel} as the loop drives it: one training {@link Stage} for the whole run,
 * the auxiliary-loss-free balancing rule after every update ({@code gamma} per step; 0 freezes the biases),
 * the correction biases saved and restored with the loop's checkpoints, eval without gradients, and the
 * engine checkpoint written by the model itself.
 */
public final class DeepSeekTrainee implements Trainable, TrainingHooks, AutoCloseable {
    private final TrainableModel model;
    private final Stage stage;
    private final float biasGamma;
    private final List<Parameter> buffers = new ArrayList<>();

    public DeepSeekTrainee(TrainableModel model, Stage stage, float biasGamma) {
        if (!(biasGamma >= 0)) {
            throw new IllegalArgumentException("bias update speed must be >= 0, got " + biasGamma);
        }
        this.model = model;
        this.stage = stage;
        this.biasGamma = biasGamma;
        // Materialise every MoE layer's bias (a no-op update: nothing was routed yet), so that the buffers
        // wrap the arrays the model will keep using.
        model.updateRoutingBias(0f);
        ModelConfig c = model.config();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            float[] bias = model.routingBias(l);
            if (bias != null) {
                buffers.add(new Parameter(
                        "model.layers." + l + ".mlp.gate.e_score_correction_bias",
                        new int[] {bias.length},
                        bias,
                        new float[bias.length]));
            }
        }
    }

    public TrainableModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    @Override
    public List<Parameter> parameters() {
        return model.parameters();
    }

    @Override
    public StepLoss forwardBackward(int[] tokens, float[] lossWeight) {
        return model.forwardBackward(tokens, lossWeight, stage);
    }

    @Override
    public void afterOptimizerStep() {
        model.updateRoutingBias(biasGamma);
    }

    @Override
    public List<Parameter> buffers() {
        return buffers;
    }

    @Override
    public StepLoss evalLoss(int[] tokens, float[] lossWeight) {
        return model.loss(tokens, lossWeight);
    }

    @Override
    public boolean canWriteCheckpoint() {
        return true;
    }

    @Override
    public void writeCheckpoint(Path dir) {
        model.save(dir);
    }

    @Override
    public void close() {
        model.close();
    }
}
