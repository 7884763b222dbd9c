package io.thinkloop.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.TestData;
import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainable forward pass against the engine on the tiny golden checkpoints: the logits of every
 * position of each golden sequence (prompt followed by the greedy continuation) agree with the
 * engine's prefill and decode steps, and a checkpoint the trainer writes loads into the engine with
 * the same logits.
 */
class EngineParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"sparse", "dense", "fp8"})
    void trainableLogitsMatchTheEngineOnTheGoldenCheckpoints(String variant) throws Exception {
        Path dir = TestData.tinyCheckpoint(variant);
        JsonNode golden = Json.MAPPER.readTree(Files.readString(dir.resolve("golden.json")));
        try (Model engine = Model.load(dir, 1);
                TrainableModel model = TrainableModel.load(dir, 2)) {
            int vocab = engine.config().vocabSize();
            int compared = 0;
            for (JsonNode c : golden.get("cases")) {
                int[] seq = sequence(c);
                int promptLen = c.get("prompt").size();
                float[] mine = model.logits(seq);
                InferenceState s = engine.newState(seq.length + 1);
                int[] prompt = new int[promptLen];
                System.arraycopy(seq, 0, prompt, 0, promptLen);
                float[] ref = engine.prefill(s, prompt);
                for (int pos = promptLen - 1; pos < seq.length; pos++) {
                    if (pos > promptLen - 1) {
                        ref = engine.decode(s, seq[pos]);
                    }
                    double d = maxAbsDiff(ref, mine, pos * vocab, vocab);
                    assertTrue(d <= 1e-3, variant + " position " + pos + ": max |dlogit| " + d);
                    compared++;
                }
            }
            assertTrue(compared > 20, "compared " + compared + " positions");
        }
    }

    @Test
    void aSavedCheckpointLoadsIntoTheEngineWithTheSameLogits() throws Exception {
        Path dir = TestData.tinyCheckpoint("fp8");
        Path out = TestTemp.dir("trainer-save");
        int[] seq = {5, 17, 900, 3, 44, 12, 12, 7, 600, 2, 31, 8};
        try (TrainableModel model = TrainableModel.load(dir, 1)) {
            model.routingBias(1)[3] += 0.25f; // a changed buffer must be written too
            model.save(out);
            float[] mine = model.logits(seq);
            try (Model engine = Model.load(out, 1);
                    TrainableModel again = TrainableModel.load(out, 1)) {
                float[] ref = engine.prefill(engine.newState(seq.length), seq);
                int vocab = engine.config().vocabSize();
                assertTrue(maxAbsDiff(ref, mine, (seq.length - 1) * vocab, vocab) <= 1e-3);
                assertEquals(0.25f + routingBiasOf(dir, 1, 3), again.routingBias(1)[3], 1e-6f);
                assertEquals(model.parameters().size(), again.parameters().size());
            }
        }
    }

    private static float routingBiasOf(Path dir, int layer, int expert) {
        try (TrainableModel m = TrainableModel.load(dir, 1)) {
            return m.routingBias(layer)[expert];
        }
    }

    static int[] sequence(JsonNode c) {
        JsonNode prompt = c.get("prompt");
        JsonNode steps = c.get("steps");
        int[] seq = new int[prompt.size() + steps.size() - 1];
        for (int i = 0; i < prompt.size(); i++) {
            seq[i] = prompt.get(i).asInt();
        }
        for (int i = 0; i + 1 < steps.size(); i++) {
            seq[prompt.size() + i] = steps.get(i).get("argmax").asInt();
        }
        return seq;
    }

    private static double maxAbsDiff(float[] ref, float[] mine, int off, int n) {
        double d = 0;
        for (int v = 0; v < n; v++) {
            d = Math.max(d, Math.abs((double) ref[v] - mine[off + v]));
        }
        return d;
    }
}
