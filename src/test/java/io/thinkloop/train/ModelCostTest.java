package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.engine.checkpoint.DType;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cost model's parameter count against the tensors a checkpoint of the same config actually holds. */
class ModelCostTest {
    @TempDir
    Path tmp;

    @Test
    void theParameterCountIsTheSumOfTheCheckpointsTrainableTensors() throws Exception {
        ModelConfig c = SyntheticCheckpoint.config(512, 64, 3, 2, 2, 8, 2, 32, 96, 8, 4096);
        SyntheticCheckpoint.write(tmp, c, 1, DType.F32);
        long sum = 0;
        long embedAndHead = 0;
        for (Map.Entry<String, StateFile.Tensor> e :
                StateFile.read(tmp.resolve("model.safetensors")).entrySet()) {
            if (e.getKey().endsWith("e_score_correction_bias")) {
                continue; // a buffer moved by the balancing rule, not a parameter
            }
            sum += e.getValue().values().length;
            if (e.getKey().equals("model.embed_tokens.weight") || e.getKey().equals("lm_head.weight")) {
                embedAndHead += e.getValue().values().length;
            }
        }
        ModelCost cost = ModelCost.of(c);
        assertEquals(sum, cost.parameters());
        assertEquals(embedAndHead, cost.embeddingAndHead());
    }

    @Test
    void forwardFlopsCountTwoPerActiveWeightWithTheHeadsShareApart() {
        ModelConfig c = SyntheticCheckpoint.config(8192, 128, 2, 2, 2, 8, 2, 64, 256, 16, 4096);
        ModelCost cost = ModelCost.of(c);
        assertEquals(2.0 * cost.activeMatmulWeights(), cost.forwardFlopsPerToken());
        assertEquals(8192.0 * 128 / cost.activeMatmulWeights(), cost.headShare(), 1e-12);
        // routing picks 2 of 8 experts: the active weights are fewer than the matrices held
        long allLinear = cost.parameters() - 8192L * 128; // minus the embedding (a lookup)
        assertTrue(cost.activeMatmulWeights() < allLinear);
    }
}
