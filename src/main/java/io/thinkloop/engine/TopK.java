package io.thinkloop.engine;

import java.util.Arrays;

/** Top-k selection in expected linear time (quickselect), for the indexer's k of up to thousands. */
final class TopK {
    private TopK() {}

    /**
     * Writes the indices of the {@code k} largest of {@code scores[0..n)} to {@code out[0..k)},
     * ascending; {@code order} is scratch of length >= n.
     */
    static void select(float[] scores, int n, int k, int[] order, int[] out) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int lo = 0;
        int hi = n - 1;
        long seed = 0x9E3779B97F4A7C15L;
        while (lo < hi) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int p = lo + (int) ((seed >>> 33) % (hi - lo + 1));
            float pivot = scores[order[p]];
            // three-way partition: greater | equal | less
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                float v = scores[order[i]];
                if (v > pivot) {
                    swap(order, lt++, i++);
                } else if (v < pivot) {
                    swap(order, i, gt--);
                } else {
                    i++;
                }
            }
            if (k <= lt) {
                hi = lt - 1;
            } else if (k <= gt + 1) {
                break;
            } else {
                lo = gt + 1;
            }
        }
        System.arraycopy(order, 0, out, 0, k);
        Arrays.sort(out, 0, k);
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
