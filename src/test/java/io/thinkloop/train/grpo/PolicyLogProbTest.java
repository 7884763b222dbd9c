package io.thinkloop.train.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Keep-sampling-mask: the policy's log-probability over the kept set, and its gradient. */
class PolicyLogProbTest {
    private static final float[] LOGITS = {2.0f, -1.0f, 0.5f, 1.5f, -0.3f, 0.9f};

    @Test
    void overTheKeptSetTheProbabilityIsRenormalisedAmongKeptTokensAtTheSamplingTemperature() {
        int[] kept = {0, 3, 5};
        double t = 0.7;
        double z = 0;
        for (int v : kept) {
            z += Math.exp(LOGITS[v] / t);
        }
        assertEquals(LOGITS[3] / t - Math.log(z), PolicyLogProb.of(LOGITS, 0, 6, 3, t, kept), 1e-6);
        double full = 0;
        for (float l : LOGITS) {
            full += Math.exp(l / t);
        }
        assertEquals(LOGITS[3] / t - Math.log(full), PolicyLogProb.of(LOGITS, 0, 6, 3, t, null), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> PolicyLogProb.of(LOGITS, 0, 6, 1, t, kept));
    }

    @Test
    void theGradientMatchesFiniteDifferencesAndIsZeroOnTokensTheSamplerDropped() {
        for (int[] kept : new int[][] {{0, 3, 5}, null}) {
            double c = -0.8, t = 0.7, h = 1e-3;
            float[] g = LOGITS.clone();
            PolicyLogProb.gradient(g, 0, 6, 5, t, kept, c);
            for (int v = 0; v < 6; v++) {
                float[] up = LOGITS.clone();
                float[] down = LOGITS.clone();
                up[v] += (float) h;
                down[v] -= (float) h;
                double numeric = c
                        * (PolicyLogProb.of(up, 0, 6, 5, t, kept) - PolicyLogProb.of(down, 0, 6, 5, t, kept))
                        / (2 * h);
                assertEquals(numeric, g[v], 1e-3, "logit " + v);
                if (kept != null && v != 0 && v != 3 && v != 5) {
                    assertEquals(0f, g[v]);
                }
            }
        }
    }
}
