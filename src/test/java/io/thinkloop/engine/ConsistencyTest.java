package io.thinkloop.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Self-consistency of the forward pass on the tiny checkpoints (top-k 8 makes long prompts sparse). */
class ConsistencyTest {
    static Model sparse;
    static Model dense;

    @BeforeAll
    static void load() {
        sparse = Model.load(GoldenTest.tiny("sparse"), 2);
        dense = Model.load(GoldenTest.tiny("dense"), 2);
    }

    @AfterAll
    static void close() {
        sparse.close();
        dense.close();
    }

    static int[] tokens(int n, long seed) {
        return new SplittableRandom(seed).ints(n, 2, 1024).toArray();
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void prefillEqualsPrefillThenDecode() {
        for (int n : new int[] {2, 8, 9, 30}) {
            int[] t = tokens(n, n);
            InferenceState a = sparse.newState(64);
            float[] whole = sparse.prefill(a, t).clone();
            InferenceState b = sparse.newState(64);
            sparse.prefill(b, Arrays.copyOf(t, n - 1));
            float[] stepped = sparse.decode(b, t[n - 1]);
            assertTrue(maxDiff(whole, stepped) < 1e-4, "n=" + n + " diff " + maxDiff(whole, stepped));
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(a.selectedPositions(l), b.selectedPositions(l), "layer " + l);
            }
            assertEquals(n, b.position());
        }
    }

    @Test
    void chunkedPrefillEqualsWholePrefill() {
        int[] t = tokens(25, 7);
        InferenceState a = sparse.newState(64);
        float[] whole = sparse.prefill(a, t).clone();
        InferenceState b = sparse.newState(64);
        sparse.prefill(b, Arrays.copyOf(t, 11));
        float[] chunked = sparse.prefill(b, Arrays.copyOfRange(t, 11, 25));
        assertTrue(maxDiff(whole, chunked) < 1e-4, "diff " + maxDiff(whole, chunked));
    }

    @Test
    void sparseWithTopkCoveringTheContextEqualsDense() {
        int[] t = tokens(40, 3);
        InferenceState s = dense.newState(64, AttentionMode.SPARSE);
        InferenceState d = dense.newState(64, AttentionMode.DENSE);
        float[] ls = dense.prefill(s, t).clone();
        float[] ld = dense.prefill(d, t);
        assertTrue(maxDiff(ls, ld) < 1e-6, "prefill diff " + maxDiff(ls, ld));
        for (int i = 0; i < 5; i++) {
            ls = dense.decode(s, 100 + i).clone();
            ld = dense.decode(d, 100 + i);
            assertTrue(maxDiff(ls, ld) < 1e-6, "decode diff " + maxDiff(ls, ld));
            assertEquals(41 + i, s.selectedPositions(1).length); // top-k 64 covers the whole context
        }
    }

    @Test
    void sparseSelectsTopkOnceTheContextIsLonger() {
        InferenceState s = sparse.newState(64);
        sparse.prefill(s, tokens(20, 5));
        for (int l = 0; l < 3; l++) {
            int[] sel = s.selectedPositions(l);
            assertEquals(8, sel.length);
            for (int i = 1; i < sel.length; i++) {
                assertTrue(sel[i] > sel[i - 1] && sel[i] < 20);
            }
        }
        // DENSE mode on the same weights attends to everything, so the logits differ.
        InferenceState d = sparse.newState(64, AttentionMode.DENSE);
        float[] ld = sparse.prefill(d, tokens(20, 5));
        InferenceState s2 = sparse.newState(64);
        assertTrue(maxDiff(sparse.prefill(s2, tokens(20, 5)), ld) > 1e-3);
    }

    @Test
    void cachedDecodeEqualsRecomputationFromScratch() {
        int[] prompt = tokens(10, 11);
        InferenceState s = sparse.newState(64);
        float[] logits = sparse.prefill(s, prompt);
        int[] seq = Arrays.copyOf(prompt, 30);
        for (int i = 10; i < 30; i++) {
            int next = argmax(logits);
            seq[i] = next;
            logits = sparse.decode(s, next);
            InferenceState fresh = sparse.newState(64);
            float[] recomputed = sparse.prefill(fresh, Arrays.copyOf(seq, i + 1));
            assertTrue(maxDiff(logits, recomputed) < 1e-4, "pos " + i + " diff " + maxDiff(logits, recomputed));
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(fresh.selectedPositions(l), s.selectedPositions(l), "pos " + i + " layer " + l);
            }
        }
    }

    @Test
    void badInputIsRejectedAndTheStateSurvives() {
        InferenceState s = sparse.newState(4);
        assertThrows(IllegalArgumentException.class, () -> sparse.prefill(s, new int[] {5, 2000}));
        assertEquals(0, s.position());
        sparse.prefill(s, new int[] {5, 6, 7});
        assertThrows(IllegalArgumentException.class, () -> sparse.prefill(s, new int[] {1, 2}));
        sparse.decode(s, 8);
        assertEquals(4, s.position());
        s.cancel();
        s.reset();
        assertEquals(0, s.position());
        InferenceState c = sparse.newState(8);
        c.cancel();
        assertThrows(CancellationException.class, () -> sparse.decode(c, 3));
        assertEquals(0, c.position()); // the cancelled token was not appended; the state goes on
        sparse.decode(c, 3);
        assertEquals(1, c.position());
    }

    static int argmax(float[] x) {
        int a = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[a]) {
                a = i;
            }
        }
        return a;
    }
}
