package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop on the real DeepSeek-V3.2 model (tiny config): exact resume including the MoE balancing biases. */
class DeepSeekTraineeTest {
    static final ModelConfig TINY = SyntheticCheckpoint.config(64, 32, 2, 2, 2, 4, 2, 32, 64, 4, 4096);

    @TempDir
    Path tmp;

    static TrainingData data() {
        List<Sample> train = new ArrayList<>();
        List<Sample> eval = new ArrayList<>();
        Rng r = new Rng(11);
        for (int s = 0; s < 14; s++) {
            int len = 9 + r.nextInt(6);
            int[] tokens = new int[len];
            for (int t = 0; t < len; t++) {
                tokens[t] = t == 0 ? r.nextInt(64) : (tokens[t - 1] * 3 + 1) % 64;
            }
            float[] w = new float[len - 1];
            for (int t = 1; t < w.length; t++) {
                w[t] = 1;
            }
            (s < 11 ? train : eval).add(new Sample("s" + s, s < 11 ? "train" : "eval", tokens, w));
        }
        return new TrainingData(train, eval);
    }

    static TrainConfig config(int steps) {
        return new TrainConfig(steps, 2, 3e-3, 2, 0.1, AdamW.Settings.defaults(), 1.0, 5, 3, 0, 2);
    }

    static ProgressLine quiet() {
        return new ProgressLine(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 1000);
    }

    static DeepSeekTrainee trainee(long seed) {
        return new DeepSeekTrainee(TrainableModel.create(TINY, seed, 1), Stage.SPARSE, 0.01f);
    }

    @Test
    void anInterruptedRunOfTheRealModelResumesToTheSameBits() {
        int n = 8;
        try (DeepSeekTrainee straight = trainee(3);
                DeepSeekTrainee first = trainee(3);
                DeepSeekTrainee resumed = trainee(4)) {
            TrainingLoop.Result full = new TrainingLoop(straight, data(), config(n), tmp.resolve("a"), quiet()).run();
            Path out = tmp.resolve("b");
            new TrainingLoop(first, data(), config(n), out, quiet()).runUntil(n / 2);
            TrainingLoop loop = new TrainingLoop(resumed, data(), config(n), out, quiet());
            loop.resume(TrainingLoop.latestCheckpoint(out).orElseThrow());
            TrainingLoop.Result second = loop.run();

            assertArrayEquals(
                    TrainingLoopTest.bits(straight.parameters()), TrainingLoopTest.bits(resumed.parameters()));
            assertFalse(straight.buffers().isEmpty(), "the MoE layer has a correction bias");
            assertArrayEquals(TrainingLoopTest.bits(straight.buffers()), TrainingLoopTest.bits(resumed.buffers()));
            assertEquals(full.lastEvalLoss(), second.lastEvalLoss());
            assertTrue(
                    straight.buffers().getFirst().value()[0] != 0
                            || straight.buffers().getFirst().value()[1] != 0,
                    "the balancing rule moved the biases");
        }
    }
}
