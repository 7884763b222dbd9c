package io.thinkloop.train.ops;

import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.engine.kernel.VectorMath;
import java.util.Arrays;

/**
 * The DSA lightning indexer's differentiable pieces. The FP8 quantisation of queries and keys is a
 * straight-through estimator: the forward uses {@code q̂ = dequant(quant(q))} (so training selects
 * exactly what inference selects) and the backward treats it as the identity, which is what
 * {@code q + (q̂ - q).detach()} means. The Walsh-Hadamard transform is symmetric, so its backward is
 * the same transform ({@code engine.kernel.Hadamard}). Scores are
 * {@code Σ_h ReLU(q̂[t,h]·k̂[s]) · w[t,h]}; the indexer learns by the KL divergence from the main
 * attention's head-summed, L1-normalised probabilities to its own softmax over the attended set.
 */
public final class IndexerOps {
    /** Values per FP8 scale block. */
    public static final int BLOCK = 128;

    private IndexerOps() {}

    /** Replaces {@code x[off .. off+n)} (n a multiple of 128) by its e4m3 block round trip. */
    public static void quantizeSte(float[] x, int off, int n) {
        for (int b = off; b < off + n; b += BLOCK) {
            float amax = 0;
            for (int i = b; i < b + BLOCK; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            float scale = Fp8.blockScale(amax);
            float inv = 1f / scale; // exact: a power of two
            for (int i = b; i < b + BLOCK; i++) {
                x[i] = Fp8.decode(Fp8.encodeRounded(x[i] * inv)) * scale;
            }
        }
    }

    /**
     * {@code Σ_h ReLU(q[t,h]·k[s]) · w[t,h]} with {@code q} of {@code [tokens x heads·dim]}, {@code k}
     * of {@code [tokens x dim]} and {@code w} of {@code [tokens x heads]}.
     */
    public static float score(float[] q, float[] k, float[] w, int t, int s, int heads, int dim) {
        float sum = 0;
        int qo = t * heads * dim;
        for (int h = 0; h < heads; h++) {
            float d = VectorMath.dot(q, qo + h * dim, k, s * dim, dim);
            if (d > 0) {
                sum += d * w[t * heads + h];
            }
        }
        return sum;
    }

    /** Adds the gradient of {@code g · score(t, s)} to {@code dq}, {@code dk} and {@code dw}. */
    public static void scoreBackward(
            float[] q,
            float[] k,
            float[] w,
            int t,
            int s,
            int heads,
            int dim,
            float g,
            float[] dq,
            float[] dk,
            float[] dw) {
        int qo = t * heads * dim;
        for (int h = 0; h < heads; h++) {
            float d = VectorMath.dot(q, qo + h * dim, k, s * dim, dim);
            if (d > 0) {
                float wh = w[t * heads + h];
                dw[t * heads + h] += g * d;
                VectorMath.axpy(g * wh, k, s * dim, dq, qo + h * dim, dim);
                VectorMath.axpy(g * wh, q, qo + h * dim, dk, s * dim, dim);
            }
        }
    }

    /**
     * One query row's KL loss {@code Σ_j p[j]·(ln p[j] − ln softmax(score)[j])} over its {@code cnt}
     * attended positions, where {@code p[j] = Σ_h attn[(h·tokens + t)·maxSel + j]}, L1-normalised.
     * Writes {@code dL/dscore} (that is {@code softmax(score) − p}) to {@code dScore[0..cnt)}.
     */
    public static double klRow(
            float[] attn, int tokens, int heads, int maxSel, int t, int cnt, float[] score, float[] dScore) {
        double total = 0;
        for (int j = 0; j < cnt; j++) {
            double s = 0;
            for (int h = 0; h < heads; h++) {
                s += attn[(h * tokens + t) * maxSel + j];
            }
            dScore[j] = (float) s; // target, unnormalised, for now
            total += s;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cnt; j++) {
            max = Math.max(max, score[j]);
        }
        double z = 0;
        for (int j = 0; j < cnt; j++) {
            z += Math.exp(score[j] - max);
        }
        double logZ = Math.log(z) + max;
        double kl = 0;
        for (int j = 0; j < cnt; j++) {
            double p = dScore[j] / total;
            double logQ = score[j] - logZ;
            if (p > 0) {
                kl += p * (Math.log(p) - logQ);
            }
            dScore[j] = (float) (Math.exp(logQ) - p);
        }
        return kl;
    }

    /**
     * The indices of the {@code k} largest of {@code scores[0..n)} into {@code out[0..k)}, ascending;
     * ties go to the lower index so that the choice is deterministic. {@code order} is scratch of
     * length {@code >= n}.
     */
    public static void topK(float[] scores, int n, int k, int[] order, int[] out) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int pivot = order[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (before(scores, order[i], pivot)) {
                    i++;
                }
                while (before(scores, pivot, order[j])) {
                    j--;
                }
                if (i <= j) {
                    int tmp = order[i];
                    order[i++] = order[j];
                    order[j--] = tmp;
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                break;
            }
        }
        System.arraycopy(order, 0, out, 0, k);
        Arrays.sort(out, 0, k);
    }

    /** Whether index a ranks strictly before index b (higher score, then lower index). */
    private static boolean before(float[] scores, int a, int b) {
        return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
    }
}
