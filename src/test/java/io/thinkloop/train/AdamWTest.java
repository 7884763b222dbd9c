package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW's update against its defining formulas (computed here in double), and the learning-rate schedule. */
class AdamWTest {
    @Test
    void twoUpdatesFollowTheBiasCorrectedMomentsAndDecoupledDecay() {
        Parameter w = Parameter.zeros("w", 1, 2);
        Parameter g = Parameter.zeros("gain", 2);
        w.value()[0] = 0.5f;
        w.value()[1] = -1.0f;
        g.value()[0] = 1.0f;
        g.value()[1] = 2.0f;
        AdamW.Settings s = new AdamW.Settings(0.9, 0.99, 1e-8, 0.1);
        AdamW opt = new AdamW(List.of(w, g), s);
        double[][] grads = {{0.2, -0.4, 0.3, 0.1}, {-0.1, 0.5, 0.3, -0.2}};
        double[] theta = {0.5, -1.0, 1.0, 2.0};
        double[] m = new double[4];
        double[] v = new double[4];
        double[] lrs = {0.01, 0.02};
        for (int t = 1; t <= 2; t++) {
            double[] gr = grads[t - 1];
            w.grad()[0] = (float) gr[0];
            w.grad()[1] = (float) gr[1];
            g.grad()[0] = (float) gr[2];
            g.grad()[1] = (float) gr[3];
            double lr = lrs[t - 1];
            opt.step(lr);
            for (int j = 0; j < 4; j++) {
                m[j] = 0.9 * m[j] + 0.1 * gr[j];
                v[j] = 0.99 * v[j] + 0.01 * gr[j] * gr[j];
                double mh = m[j] / (1 - Math.pow(0.9, t));
                double vh = v[j] / (1 - Math.pow(0.99, t));
                boolean matrix = j < 2;
                theta[j] = theta[j] * (matrix ? 1 - lr * 0.1 : 1) - lr * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        assertEquals(theta[0], w.value()[0], 1e-6);
        assertEquals(theta[1], w.value()[1], 1e-6);
        assertEquals(theta[2], g.value()[0], 1e-6, "vectors are not decayed");
        assertEquals(theta[3], g.value()[1], 1e-6);
        assertEquals(2, opt.steps());
    }

    @Test
    void theFirstUpdateMovesEachWeightByAboutTheLearningRateWhateverTheGradientScale() {
        // Bias correction makes m̂/sqrt(v̂) = sign(g) on step 1: Adam's scale invariance, which warm-up relies on.
        for (float scale : new float[] {1e-3f, 1f, 1e3f}) {
            Parameter p = Parameter.zeros("p", 3);
            p.grad()[0] = scale;
            p.grad()[1] = -scale;
            new AdamW(List.of(p), new AdamW.Settings(0.9, 0.95, 1e-12, 0)).step(0.01);
            assertEquals(-0.01, p.value()[0], 1e-6);
            assertEquals(0.01, p.value()[1], 1e-6);
            assertEquals(0, p.value()[2], 0, "no gradient, no move");
        }
    }

    @Test
    void theScheduleWarmsUpLinearlyThenDecaysByCosineToItsFloor() {
        LrSchedule s = new LrSchedule(1e-3, 10, 110, 0.1);
        assertEquals(1e-4, s.at(0), 1e-15);
        assertEquals(5e-4, s.at(4), 1e-15);
        assertEquals(1e-3, s.at(9), 1e-15);
        assertEquals(1e-3, s.at(10), 1e-15);
        assertEquals(1e-4, s.at(109), 1e-15);
        double mid = s.at(59);
        assertEquals(1e-4 + 0.5 * (1e-3 - 1e-4), s.at(10 + 99 / 2), 1e-5, "half way: the mean of peak and floor");
        assertTrue(mid < 1e-3 && mid > 1e-4);
        for (int i = 10; i < 109; i++) {
            assertTrue(s.at(i + 1) <= s.at(i), "non-increasing after warm-up at " + i);
        }
        assertEquals(1e-3, new LrSchedule(1e-3, 0, 1, 0).at(0), 0, "one step, no warm-up: the peak");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 11, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(1.0, 0.9, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(0.9, 0.9, 0, 0));
    }
}
