package io.thinkloop.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int VOCAB = 129_280; // DeepSeek-V3's padded vocabulary

    private static float[] randomLogits(long seed, int n, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * spread);
        }
        return x;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** softmax(x / t) in double, as the reference. */
    private static double[] softmax(float[] x, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        double z = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp((x[i] - max) / t);
            z += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    @Test
    void greedyIsArgmaxWithLowestIdOnTies() {
        Sampler greedy = new Sampler(SamplingParams.greedy());
        for (int s = 0; s < 20; s++) {
            float[] x = randomLogits(s, VOCAB, 3);
            assertEquals(argmax(x), greedy.sample(x));
        }
        float[] ties = {1, 5, 2, 5, 5};
        assertEquals(1, greedy.sample(ties));
        float[] masked = {Float.NEGATIVE_INFINITY, -3, Float.NEGATIVE_INFINITY};
        assertEquals(1, greedy.sample(masked));
    }

    @Test
    void fixedSeedRepeatsExactly() {
        SamplingParams p = SamplingParams.temperature(0.9, 1234)
                .withTopK(50)
                .withTopP(0.95)
                .withLogprobs(5, LogprobMode.PROCESSED);
        int[] a = run(p, 300);
        int[] b = run(p, 300);
        assertArrayEquals(a, b);
        int[] other = run(p.withSeed(1235L), 300);
        assertFalse(Arrays.equals(a, other), "a different seed should give a different sequence");
        assertArrayEquals(run(SamplingParams.temperature(1.3, 7), 300), run(SamplingParams.temperature(1.3, 7), 300));
    }

    private static int[] run(SamplingParams p, int steps) {
        Sampler s = new Sampler(p);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = s.sample(randomLogits(1000 + i, 4096, 2));
        }
        return out;
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        Sampler k1 = new Sampler(SamplingParams.temperature(1.0, 5).withTopK(1));
        Sampler p0 = new Sampler(SamplingParams.temperature(1.5, 5).withTopP(1e-9));
        Sampler m1 = new Sampler(SamplingParams.temperature(2.0, 5).withMinP(1.0));
        for (int s = 0; s < 50; s++) {
            float[] x = randomLogits(100 + s, VOCAB, 1);
            int want = argmax(x);
            assertEquals(want, k1.sample(x));
            assertEquals(want, p0.sample(x));
            assertEquals(want, m1.sample(x));
        }
    }

    /** Draw counts against expected probabilities: chi-square over the categories (df = categories - 1). */
    private static double chiSquare(long[] counts, double[] expected, int draws) {
        double chi = 0;
        for (int i = 0; i < counts.length; i++) {
            double e = expected[i] * draws;
            if (e == 0) {
                assertEquals(0, counts[i], "token " + i + " has probability 0 but was drawn");
                continue;
            }
            chi += (counts[i] - e) * (counts[i] - e) / e;
        }
        return chi;
    }

    private static long[] draw(SamplingParams p, float[] x, int draws) {
        Sampler s = new Sampler(p);
        long[] counts = new long[x.length];
        for (int i = 0; i < draws; i++) {
            counts[s.sample(x)]++;
        }
        return counts;
    }

    // 8 categories, df = 7: chi-square above 24.3 has probability 0.001 under the right distribution.
    private static final float[] EIGHT = {2.0f, 1.5f, 1.0f, 0.5f, 0.0f, -0.5f, -1.0f, Float.NEGATIVE_INFINITY};
    private static final int DRAWS = 200_000;

    @Test
    void temperatureSamplingMatchesSoftmax() {
        for (double t : new double[] {0.5, 1.0, 2.0}) {
            double[] p = softmax(EIGHT, t);
            long[] counts = draw(SamplingParams.temperature(t, 42), EIGHT, DRAWS);
            double chi = chiSquare(counts, p, DRAWS);
            assertTrue(chi < 24.3, "T=" + t + " chi-square " + chi + " counts " + Arrays.toString(counts));
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i], counts[i] / (double) DRAWS, 0.005);
            }
        }
    }

    @Test
    void topKTopPAndMinPSampleTheRenormalizedSet() {
        double[] p = softmax(EIGHT, 1.0);
        // top-k = 3: the three most likely, renormalized.
        double[] k3 = new double[8];
        double z3 = p[0] + p[1] + p[2];
        for (int i = 0; i < 3; i++) {
            k3[i] = p[i] / z3;
        }
        assertTrue(chiSquare(draw(SamplingParams.temperature(1, 9).withTopK(3), EIGHT, DRAWS), k3, DRAWS) < 24.3);
        // top-p = 0.7: p = [.36, .22, .13, ...]: the nucleus is the first three (0.36 + 0.22 < 0.7 <= 0.71).
        assertTrue(p[0] + p[1] < 0.7 && p[0] + p[1] + p[2] >= 0.7);
        assertTrue(chiSquare(draw(SamplingParams.temperature(1, 10).withTopP(0.7), EIGHT, DRAWS), k3, DRAWS) < 24.3);
        // min-p = 0.3: keeps tokens at least 0.3 x the best: exp(-1) = 0.37 passes, exp(-1.5) = 0.22 does not.
        assertTrue(chiSquare(draw(SamplingParams.temperature(1, 11).withMinP(0.3), EIGHT, DRAWS), k3, DRAWS) < 24.3);
        // top-k = 5 then top-p = 0.8 over the renormalized five.
        double z5 = p[0] + p[1] + p[2] + p[3] + p[4];
        double cum = 0;
        int keep = 0;
        while (cum < 0.8) {
            cum += p[keep++] / z5;
        }
        double[] expected = new double[8];
        double zk = 0;
        for (int i = 0; i < keep; i++) {
            zk += p[i];
        }
        for (int i = 0; i < keep; i++) {
            expected[i] = p[i] / zk;
        }
        assertTrue(chiSquare(
                        draw(SamplingParams.temperature(1, 12).withTopK(5).withTopP(0.8), EIGHT, DRAWS),
                        expected,
                        DRAWS)
                < 24.3);
    }

    @Test
    void topPOnALargeVocabularyKeepsOnlyTheNucleus() {
        float[] x = randomLogits(77, VOCAB, 4);
        double[] p = softmax(x, 0.8);
        Integer[] order = new Integer[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        boolean[] nucleus = new boolean[VOCAB];
        double cum = 0;
        for (int i = 0; cum < 0.9; i++) {
            nucleus[order[i]] = true;
            cum += p[order[i]];
        }
        Sampler s = new Sampler(SamplingParams.temperature(0.8, 3).withTopP(0.9));
        for (int i = 0; i < 500; i++) {
            int id = s.sample(x);
            assertTrue(nucleus[id], "token " + id + " is outside the nucleus");
        }
    }

    @Test
    void logprobsAndTopAlternatives() {
        float[] x = randomLogits(5, VOCAB, 2.5f);
        double[] raw = softmax(x, 1.0);
        double[] tempered = softmax(x, 0.7);
        Sampler processed = new Sampler(SamplingParams.temperature(0.7, 1).withLogprobs(5, LogprobMode.PROCESSED));
        int id = processed.sample(x);
        assertEquals(Math.log(tempered[id]), processed.logprob(), 1e-4);
        // Truncation does not change the reported figures: they come from the whole tempered distribution.
        Sampler topK =
                new Sampler(SamplingParams.temperature(0.7, 1).withTopK(40).withLogprobs(0, LogprobMode.PROCESSED));
        id = topK.sample(x);
        assertEquals(Math.log(tempered[id]), topK.logprob(), 1e-4);
        Sampler rawMode = new Sampler(SamplingParams.temperature(0.7, 1).withLogprobs(5, LogprobMode.RAW));
        id = rawMode.sample(x);
        assertEquals(Math.log(raw[id]), rawMode.logprob(), 1e-4);
        // Top alternatives: the five highest logits, most likely first, with their log-probabilities.
        Integer[] order = new Integer[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(x[b], x[a]));
        assertEquals(5, processed.topCount());
        for (int i = 0; i < 5; i++) {
            assertEquals(order[i], processed.topId(i));
            assertEquals(Math.log(tempered[order[i]]), processed.topLogprob(i), 1e-4);
            assertEquals(Math.log(raw[order[i]]), rawMode.topLogprob(i), 1e-4);
        }
        // Greedy reports the raw distribution.
        Sampler greedy = new Sampler(SamplingParams.greedy().withLogprobs(3, LogprobMode.PROCESSED));
        TokenSample t = greedy.next(x, x.length);
        assertEquals(order[0], t.token());
        assertEquals(Math.log(raw[order[0]]), t.logprob(), 1e-4);
        assertEquals(3, t.topIds().length);
        assertTrue(Float.isNaN(
                new Sampler(SamplingParams.greedy()).next(x, x.length).logprob()));
    }

    @Test
    void paddedVocabularyIsIgnoredPastN() {
        float[] x = randomLogits(8, 1000, 1);
        x[999] = 100; // padding row past the real vocabulary
        assertEquals(argmax(Arrays.copyOf(x, 990)), new Sampler(SamplingParams.greedy()).sample(x, 990));
        Sampler s = new Sampler(SamplingParams.temperature(1, 1));
        for (int i = 0; i < 1000; i++) {
            assertTrue(s.sample(x, 990) < 990);
        }
    }

    @Test
    void samplingAllocatesNothingPerTokenOnceWarm() {
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] x = randomLogits(21, VOCAB, 3);
        for (SamplingParams p : new SamplingParams[] {
            SamplingParams.greedy().withLogprobs(5, LogprobMode.RAW),
            SamplingParams.temperature(0.8, 1).withTopK(40).withLogprobs(5, LogprobMode.PROCESSED),
            SamplingParams.temperature(0.8, 1).withTopP(0.95).withMinP(0.05).withLogprobs(20, LogprobMode.PROCESSED),
        }) {
            Sampler s = new Sampler(p);
            for (int i = 0; i < 20; i++) {
                s.sample(x); // buffers grow to the vocabulary here
            }
            long tid = Thread.currentThread().threadId();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100; i++) {
                s.sample(x);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            // 100 tokens: anything per token (even one small object each) would exceed this.
            assertTrue(allocated < 1024, p + " allocated " + allocated + " bytes over 100 tokens");
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        Sampler s = new Sampler(SamplingParams.temperature(1, 1));
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {1, Float.NaN, 2}));
        assertThrows(
                IllegalArgumentException.class,
                () -> s.sample(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.temperature(-1, 1));
        assertThrows(
                IllegalArgumentException.class, () -> SamplingParams.greedy().withTopP(0));
        assertThrows(
                IllegalArgumentException.class, () -> SamplingParams.greedy().withTopK(-2));
        assertThrows(
                IllegalArgumentException.class, () -> SamplingParams.greedy().withLogprobs(21, LogprobMode.RAW));
        // The sampler stays usable after refusing input.
        assertEquals(2, new Sampler(SamplingParams.greedy()).sample(new float[] {0, 1, 3}));
    }

    @Test
    void sortHelpersOrderByLogitThenLowerId() {
        long[] keys = {
            Sampler.sortKey(1f, 3),
            Sampler.sortKey(-2f, 0),
            Sampler.sortKey(1f, 1),
            Sampler.sortKey(0f, 7),
            Sampler.sortKey(Float.NEGATIVE_INFINITY, 2),
            Sampler.sortKey(-0.5f, 9)
        };
        Sampler.sortDescending(keys, keys.length);
        int[] ids = Arrays.stream(keys).mapToInt(Sampler::idOf).toArray();
        assertArrayEquals(new int[] {1, 3, 7, 9, 0, 2}, ids);
    }
}
