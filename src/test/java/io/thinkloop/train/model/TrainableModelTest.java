package io.thinkloop.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.engine.Model;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.train.Parameter;
import io.thinkloop.train.Trainable.StepLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The whole trainable model on a tiny freshly initialised configuration. */
public class TrainableModelTest {
    /** A tiny DeepSeek-V3.2 shape: dense first layer, 8 experts in 2 groups, 2 index heads, top-k 6. */
    public static ModelConfig tiny(int topk) {
        return new ModelConfig(
                48, // vocab
                32, // hidden
                48, // dense intermediate
                16, // expert intermediate
                2, // layers
                1, // first dense
                2, // heads
                8, // routed experts
                1, // shared
                2, // per token
                2, // groups
                1, // top groups
                2.5,
                "sigmoid",
                true,
                24, // q lora
                16, // kv lora
                8, // nope
                4, // rope
                8, // v
                10000.0,
                new ModelConfig.Yarn(4, 16, 32, 1, 1.0, 1.0),
                64,
                1e-6,
                2, // index heads
                128, // index head dim
                topk,
                0,
                false,
                128,
                128);
    }

    private static final int[] TOKENS = {1, 7, 30, 2, 19, 19, 44, 5, 8, 12, 40, 3};

    private static float[] weights(int n) {
        float[] w = new float[n - 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 4 == 0 ? 0f : 1f + 0.25f * (i % 3);
        }
        return w;
    }

    private static boolean isIndexer(Parameter p) {
        return p.name().contains(".indexer.");
    }

    /**
     * Every tensor's gradient against central differences: main tensors along a random direction
     * (each entry moved by ±δ) against the LM loss, indexer tensors entry by entry against the KL loss.
     * The model is float32, so this is a spot check with a loose bound; the per-operation checks in
     * double precision are {@code train.ops.OpsGradientTest}. Routing is kept fixed (as the backward
     * assumes) and the indexer's FP8 rounding is off (its forward would be piecewise constant).
     */
    @Test
    void wholeModelGradientsMatchFiniteDifferencesAlongRandomDirections() {
        try (TrainableModel m = TrainableModel.create(tiny(6), 11, 1)) {
            m.indexerFp8 = false;
            float[] w = weights(TOKENS.length);
            StepLoss base = m.forwardBackward(TOKENS, w, Stage.SPARSE, null);
            Routing routing = m.lastRouting();
            assertTrue(base.lmLossSum() > 0 && base.auxLoss() > 0);
            SplittableRandom rng = new SplittableRandom(3);
            List<String> failures = new ArrayList<>();
            int checked = 0;
            for (Parameter p : m.parameters()) {
                if (isIndexer(p)) {
                    checkLargestEntries(m, p, w, routing, failures);
                    checked++;
                    continue;
                }
                float delta = 2e-3f;
                float[] v = new float[p.size()];
                double analytic = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextBoolean() ? delta : -delta;
                    analytic += (double) p.grad()[i] * v[i];
                }
                float[] keep = p.value().clone();
                for (int i = 0; i < v.length; i++) {
                    p.value()[i] = keep[i] + v[i];
                }
                StepLoss up = m.loss(TOKENS, w, Stage.SPARSE, routing);
                for (int i = 0; i < v.length; i++) {
                    p.value()[i] = keep[i] - v[i];
                }
                StepLoss down = m.loss(TOKENS, w, Stage.SPARSE, routing);
                System.arraycopy(keep, 0, p.value(), 0, keep.length);
                double numeric = (up.lmLossSum() - down.lmLossSum()) / 2;
                if (Math.abs(numeric - analytic) > 2e-2 * Math.abs(numeric) + 2e-5) {
                    failures.add(p.name() + ": numeric " + numeric + " analytic " + analytic);
                }
                checked++;
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " tensors: " + failures);
        }
    }

    /**
     * The indexer's scores pass through ReLUs whose kinks a move of every entry at once crosses, so
     * its tensors are checked entry by entry: the four entries of largest gradient, each moved alone.
     */
    private static void checkLargestEntries(
            TrainableModel m, Parameter p, float[] w, Routing routing, List<String> failures) {
        Integer[] order = new Integer[p.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(p.grad()[b]), Math.abs(p.grad()[a])));
        for (int r = 0; r < 4; r++) {
            int i = order[r];
            float keep = p.value()[i];
            float delta = 1e-3f;
            p.value()[i] = keep + delta;
            double up = m.loss(TOKENS, w, Stage.SPARSE, routing).auxLoss();
            p.value()[i] = keep - delta;
            double down = m.loss(TOKENS, w, Stage.SPARSE, routing).auxLoss();
            p.value()[i] = keep;
            double numeric = (up - down) / (2 * delta);
            if (Math.abs(numeric - p.grad()[i]) > 2e-2 * Math.abs(numeric) + 1e-4) {
                failures.add(p.name() + "[" + i + "]: numeric " + numeric + " analytic " + p.grad()[i]);
            }
        }
    }

    @Test
    void denseWarmupTrainsOnlyTheIndexer() {
        try (TrainableModel m = TrainableModel.create(tiny(4), 5, 2)) {
            StepLoss l = m.forwardBackward(TOKENS, weights(TOKENS.length), Stage.DENSE_WARMUP);
            assertTrue(l.auxLoss() > 0);
            assertTrue(l.lmLossSum() > 0, "the LM loss is still reported");
            for (Parameter p : m.parameters()) {
                double norm = 0;
                for (float g : p.grad()) {
                    norm += g * g;
                }
                if (isIndexer(p)) {
                    assertTrue(norm > 0, p.name() + " learns in the warm-up");
                } else {
                    assertEquals(0.0, norm, p.name() + " must not learn in the warm-up");
                }
            }
        }
    }

    @Test
    void sparseStageGivesEveryParameterAGradientAndAccumulates() {
        try (TrainableModel m = TrainableModel.create(tiny(4), 5, 2)) {
            float[] w = weights(TOKENS.length);
            StepLoss first = m.forwardBackward(TOKENS, w);
            float[] once = m.parameter("model.layers.1.self_attn.q_b_proj.weight")
                    .grad()
                    .clone();
            StepLoss second = m.forwardBackward(TOKENS, w);
            assertEquals(first.lmLossSum(), second.lmLossSum(), 0.0);
            float[] twice =
                    m.parameter("model.layers.1.self_attn.q_b_proj.weight").grad();
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * once[i], twice[i], 1e-6f * Math.max(1, Math.abs(twice[i])));
            }
            double sum = 0;
            for (float x : w) {
                sum += x;
            }
            assertEquals(sum, first.weightSum(), 1e-6);
            for (Parameter p : m.parameters()) {
                if (p.name().contains("experts.") && !p.name().contains("shared")) {
                    continue; // an expert no token chose has no gradient
                }
                boolean any = false;
                for (float g : p.grad()) {
                    any |= g != 0f;
                }
                assertTrue(any, p.name() + " has a gradient");
            }
        }
    }

    /** Plain Adam on the indexer's parameters, written here; the real AdamW is the training loop's. */
    @Test
    void theIndexerKlLossFallsDuringADenseWarmup() {
        try (TrainableModel m = TrainableModel.create(tiny(4), 21, 2)) {
            int[] tokens = new int[24];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 7 + 3) % 48;
            }
            float[] w = new float[tokens.length - 1];
            Arrays.fill(w, 1f);
            List<Parameter> indexer = m.parameters().stream()
                    .filter(TrainableModelTest::isIndexer)
                    .toList();
            List<float[]> mom = new ArrayList<>();
            List<float[]> vel = new ArrayList<>();
            for (Parameter p : indexer) {
                mom.add(new float[p.size()]);
                vel.add(new float[p.size()]);
            }
            double first = 0;
            double last = 0;
            int steps = 40;
            for (int step = 1; step <= steps; step++) {
                m.parameters().forEach(Parameter::zeroGrad);
                StepLoss l = m.forwardBackward(tokens, w, Stage.DENSE_WARMUP);
                if (step == 1) {
                    first = l.auxLoss();
                }
                last = l.auxLoss();
                for (int k = 0; k < indexer.size(); k++) {
                    Parameter p = indexer.get(k);
                    float[] mk = mom.get(k);
                    float[] vk = vel.get(k);
                    for (int i = 0; i < p.size(); i++) {
                        float g = p.grad()[i];
                        mk[i] = 0.9f * mk[i] + 0.1f * g;
                        vk[i] = 0.999f * vk[i] + 0.001f * g * g;
                        double mh = mk[i] / (1 - Math.pow(0.9, step));
                        double vh = vk[i] / (1 - Math.pow(0.999, step));
                        p.value()[i] -= (float) (1e-2 * mh / (Math.sqrt(vh) + 1e-8));
                    }
                }
            }
            System.out.printf("indexer KL over %d dense warm-up steps: %.4f -> %.4f%n", steps, first, last);
            assertTrue(last < 0.5 * first, "KL " + first + " -> " + last);
        }
    }

    @Test
    void keptRoutingReproducesTheRecordedExperts() {
        try (TrainableModel m = TrainableModel.create(tiny(4), 9, 1)) {
            float[] w = weights(TOKENS.length);
            StepLoss free = m.loss(TOKENS, w);
            Routing recorded = m.lastRouting();
            assertEquals(null, recorded.experts()[0], "the dense layer routes nothing");
            assertEquals(TOKENS.length * 2, recorded.experts()[1].length);
            m.routingBias(1)[recorded.experts()[1][0]] -= 10f; // the free router now avoids that expert
            StepLoss kept = m.loss(TOKENS, w, Stage.SPARSE, recorded);
            assertArrayEquals(recorded.experts()[1], m.lastRouting().experts()[1]);
            assertEquals(free.lmLossSum(), kept.lmLossSum(), 1e-9, "the bias only selects; weights are unbiased");
            m.loss(TOKENS, w);
            assertNotEquals(
                    Arrays.toString(recorded.experts()[1]),
                    Arrays.toString(m.lastRouting().experts()[1]));
        }
    }

    @Test
    void theBalancingBiasMovesTowardTheMeanLoad() {
        try (TrainableModel m = TrainableModel.create(tiny(4), 13, 1)) {
            m.forwardBackward(TOKENS, weights(TOKENS.length));
            long[] load = m.expertLoad(1).clone();
            float[] before = m.routingBias(1).clone();
            m.updateRoutingBias(0.01f);
            double mean = Arrays.stream(load).average().orElseThrow();
            assertEquals(TOKENS.length * 2, Arrays.stream(load).sum());
            for (int e = 0; e < load.length; e++) {
                float expected = before[e] + 0.01f * (float) Math.signum(mean - load[e]);
                assertEquals(expected, m.routingBias(1)[e], 1e-7f);
            }
            assertEquals(0, Arrays.stream(m.expertLoad(1)).sum(), "counts restart after an update");
        }
    }

    @Test
    void aFreshModelSavesACheckpointTheEngineRunsAlike() throws Exception {
        Path dir = TestTemp.dir("fresh-model");
        int[] seq = Arrays.copyOf(TOKENS, 10);
        try (TrainableModel m = TrainableModel.create(tiny(6), 17, 1)) {
            m.save(dir);
            float[] mine = m.logits(seq);
            try (Model engine = Model.load(dir, 1)) {
                float[] ref = engine.prefill(engine.newState(seq.length), seq);
                int vocab = engine.config().vocabSize();
                for (int v = 0; v < vocab; v++) {
                    assertEquals(ref[v], mine[(seq.length - 1) * vocab + v], 1e-3, "logit " + v);
                }
            }
        }
        try (TrainableModel a = TrainableModel.create(tiny(6), 17, 1);
                TrainableModel b = TrainableModel.load(dir, 1)) {
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(
                        a.parameters().get(i).value(), b.parameters().get(i).value());
            }
        }
    }
}
