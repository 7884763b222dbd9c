package io.thinkloop.train.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.train.Parameter;
import io.thinkloop.train.model.Routing;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import io.thinkloop.train.model.TrainableModelTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * GRPO on the real trainable model (a tiny freshly initialised DeepSeek-V3.2 shape): rollouts sampled from it,
 * the learner's step, and keep-routing. The task family is constructed so its reward is checkable by a program
 * and the untrained policy solves it sometimes: the first written token must be one of eight "good" ids.
 */
class GrpoStepTest {
    private static final int[] PROMPT = {1, 7, 30};
    private static final int GENERATED = 3;
    private static final double TEMPERATURE = 1.0;
    private static final int TOP_K = 24;

    private static boolean good(int token) {
        return token >= 5 && token < 13;
    }

    /** Samples one rollout from the model's last-position logits, top-k then temperature, as the engine's sampler. */
    static Rollout sample(TrainableModel m, SplittableRandom random) {
        int vocab = m.config().vocabSize();
        int[] tokens = Arrays.copyOf(PROMPT, PROMPT.length + GENERATED);
        int n = tokens.length;
        boolean[] generated = new boolean[n - 1];
        float[] logprobs = new float[n - 1];
        int[][] kept = new int[n - 1][];
        for (int i = PROMPT.length; i < n; i++) {
            float[] logits = m.logits(Arrays.copyOf(tokens, i));
            int row = (i - 1) * vocab;
            Integer[] order = new Integer[vocab];
            for (int v = 0; v < vocab; v++) {
                order[v] = v;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[row + b], logits[row + a]));
            int[] keep = new int[TOP_K];
            double[] p = new double[TOP_K];
            double z = 0;
            for (int j = 0; j < TOP_K; j++) {
                keep[j] = order[j];
                p[j] = Math.exp(logits[row + keep[j]] / TEMPERATURE);
                z += p[j];
            }
            double u = random.nextDouble() * z;
            int pick = TOP_K - 1;
            for (int j = 0; j < TOP_K; j++) {
                u -= p[j];
                if (u <= 0) {
                    pick = j;
                    break;
                }
            }
            tokens[i] = keep[pick];
            Arrays.sort(keep);
            generated[i - 1] = true;
            kept[i - 1] = keep;
            logprobs[i - 1] = (float) PolicyLogProb.of(logits, row, vocab, tokens[i], TEMPERATURE, keep);
        }
        float[] w = new float[n - 1];
        m.loss(tokens, w, Stage.SPARSE, null);
        Routing routing = m.lastRouting();
        return new Rollout(
                tokens, generated, logprobs, TEMPERATURE, good(tokens[PROMPT.length]) ? 1 : 0, routing, kept);
    }

    /** Adam on every parameter, written out here: the learner's optimizer is not what this test is about. */
    private static final class Adam {
        final List<Parameter> params;
        final List<float[]> m = new ArrayList<>();
        final List<float[]> v = new ArrayList<>();
        int step;

        Adam(List<Parameter> params) {
            this.params = params;
            params.forEach(p -> {
                m.add(new float[p.size()]);
                v.add(new float[p.size()]);
            });
        }

        void step(double lr) {
            step++;
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                float[] mi = m.get(i), vi = v.get(i);
                for (int j = 0; j < p.size(); j++) {
                    float g = p.grad()[j];
                    mi[j] = 0.9f * mi[j] + 0.1f * g;
                    vi[j] = 0.999f * vi[j] + 0.001f * g * g;
                    double mh = mi[j] / (1 - Math.pow(0.9, step));
                    double vh = vi[j] / (1 - Math.pow(0.999, step));
                    p.value()[j] -= (float) (lr * mh / (Math.sqrt(vh) + 1e-8));
                }
                p.zeroGrad();
            }
        }
    }

    @Test
    void onAFreshSampleTheRolloutPolicyIsTheCurrentPolicyWhenRoutingAndKeptSetsAreKept() {
        try (TrainableModel m = TrainableModel.create(TrainableModelTest.tiny(6), 3, 1)) {
            Rollout r = sample(m, new SplittableRandom(1));
            GrpoSettings s = GrpoSettings.defaults();
            float[] lp = GrpoStep.logprobs(m, r, r.routing(), s);
            for (int t = 0; t < lp.length; t++) {
                assertEquals(r.logprobs()[t], lp[t], 1e-4, "position " + t);
            }
        }
    }

    @Test
    void keepRoutingMakesTheTrainingForwardUseTheRolloutsExpertsAfterTheRouterMoved() {
        try (TrainableModel m = TrainableModel.create(TrainableModelTest.tiny(6), 5, 1)) {
            Rollout r = sample(m, new SplittableRandom(2));
            // move every router so that free routing changes its choices
            SplittableRandom noise = new SplittableRandom(9);
            for (Parameter p : m.parameters()) {
                if (p.name().endsWith("mlp.gate.weight")) {
                    for (int j = 0; j < p.size(); j++) {
                        p.value()[j] += (float) (noise.nextDouble() - 0.5);
                    }
                }
            }
            GrpoStep.logprobs(m, r, null, GrpoSettings.defaults());
            Routing free = m.lastRouting();
            GrpoStep.logprobs(m, r, r.routing(), GrpoSettings.defaults());
            Routing kept = m.lastRouting();
            boolean moved = false;
            for (int l = 0; l < kept.experts().length; l++) {
                if (r.routing().experts()[l] == null) {
                    continue;
                }
                assertArrayEquals(r.routing().experts()[l], kept.experts()[l], "layer " + l + " kept its experts");
                moved |= !Arrays.equals(r.routing().experts()[l], free.experts()[l]);
            }
            assertTrue(moved, "free routing chose other experts after the router moved");
        }
    }

    @Test
    void aShortGrpoRunRaisesTheMeanRewardOfATaskFamilyThePolicySolvesSometimes() {
        try (TrainableModel m = TrainableModel.create(TrainableModelTest.tiny(6), 7, 1)) {
            Adam adam = new Adam(m.parameters());
            SplittableRandom random = new SplittableRandom(11);
            GrpoSettings s = GrpoSettings.defaults().withKl(0, true);
            double before = successRate(m, random, 64);
            for (int step = 0; step < 12; step++) {
                List<Rollout> rollouts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    rollouts.add(sample(m, random));
                }
                GrpoStep.accumulate(m, m, rollouts, s);
                adam.step(1e-2);
            }
            double after = successRate(m, random, 64);
            assertTrue(before > 0 && before < 0.5, "the untrained policy solves it sometimes: " + before);
            assertTrue(after > before + 0.3, "mean reward rose from " + before + " to " + after);
        }
    }

    private static double successRate(TrainableModel m, SplittableRandom random, int samples) {
        double sum = 0;
        for (int i = 0; i < samples; i++) {
            sum += sample(m, random).reward();
        }
        return sum / samples;
    }

    @Test
    void aGroupWhoseSamplesAllScoredAlikeGivesNoGradient() {
        try (TrainableModel m = TrainableModel.create(TrainableModelTest.tiny(6), 13, 1)) {
            SplittableRandom random = new SplittableRandom(4);
            List<Rollout> same = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Rollout r = sample(m, random);
                same.add(new Rollout(
                        r.tokens(), r.generated(), r.logprobs(), r.temperature(), 1.0, r.routing(), r.kept()));
            }
            GrpoStep.accumulate(m, m, same, GrpoSettings.defaults().withKl(0, true));
            for (Parameter p : m.parameters()) {
                for (float g : p.grad()) {
                    assertEquals(0f, g, p.name());
                }
            }
            assertFalse(same.isEmpty());
        }
    }
}
