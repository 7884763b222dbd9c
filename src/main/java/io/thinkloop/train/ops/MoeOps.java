package io.thinkloop.train.ops;

import java.util.Arrays;

/**
 * Mixture-of-experts routing and the SwiGLU expert activation. Routing follows the engine: sigmoid
 * (or softmax) scores; the correction bias steers the choice only; groups ranked by the sum of their
 * two best biased scores (the best one when there is no bias) and only the top groups kept; the
 * top-k experts of the kept groups by biased score. The weights are the unbiased scores of the chosen
 * experts, renormalised (sigmoid with {@code norm_topk_prob}) and times the routed scaling factor,
 * so the router learns through the weights; the choice itself carries no gradient.
 */
public final class MoeOps {
    /** The routing rule of a model configuration. */
    public record Router(
            int experts, int groups, int topkGroup, int topk, boolean sigmoid, boolean normalise, float scaling) {}

    private MoeOps() {}

    /**
     * Scores {@code logits[lo .. lo+E)} into {@code scores[so ..]} and, unless {@code forced}, chooses
     * the experts into {@code chosen[co .. co+k)}; then writes their weights to {@code weights[co ..]}.
     * {@code biased} ({@code E}) and {@code groupScore} ({@code groups}) are scratch.
     */
    public static void route(
            Router r,
            float[] logits,
            int lo,
            float[] bias,
            boolean forced,
            float[] scores,
            int so,
            int[] chosen,
            float[] weights,
            int co,
            float[] biased,
            float[] groupScore) {
        int ne = r.experts();
        if (r.sigmoid()) {
            for (int e = 0; e < ne; e++) {
                scores[so + e] = (float) (1.0 / (1.0 + Math.exp(-logits[lo + e])));
            }
        } else {
            float max = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < ne; e++) {
                max = Math.max(max, logits[lo + e]);
            }
            float sum = 0;
            for (int e = 0; e < ne; e++) {
                float v = (float) Math.exp(logits[lo + e] - max);
                scores[so + e] = v;
                sum += v;
            }
            for (int e = 0; e < ne; e++) {
                scores[so + e] /= sum;
            }
        }
        int k = r.topk();
        if (!forced) {
            for (int e = 0; e < ne; e++) {
                biased[e] = bias == null ? scores[so + e] : scores[so + e] + bias[e];
            }
            if (r.groups() > 1) {
                int per = ne / r.groups();
                for (int g = 0; g < r.groups(); g++) {
                    float best = Float.NEGATIVE_INFINITY;
                    float second = Float.NEGATIVE_INFINITY;
                    for (int e = g * per; e < (g + 1) * per; e++) {
                        float v = biased[e];
                        if (v > best) {
                            second = best;
                            best = v;
                        } else if (v > second) {
                            second = v;
                        }
                    }
                    groupScore[g] = bias == null ? best : best + (per > 1 ? second : 0);
                }
                for (int kept = 0; kept < r.topkGroup(); kept++) {
                    int arg = -1;
                    for (int g = 0; g < r.groups(); g++) {
                        if (!Float.isNaN(groupScore[g]) && (arg < 0 || groupScore[g] > groupScore[arg])) {
                            arg = g;
                        }
                    }
                    groupScore[arg] = Float.NaN; // marks "kept"
                }
                for (int g = 0; g < r.groups(); g++) {
                    if (!Float.isNaN(groupScore[g])) {
                        Arrays.fill(biased, g * per, (g + 1) * per, Float.NEGATIVE_INFINITY);
                    }
                }
            }
            for (int j = 0; j < k; j++) {
                int arg = -1;
                for (int e = 0; e < ne; e++) {
                    if (!contains(chosen, co, j, e) && (arg < 0 || biased[e] > biased[arg])) {
                        arg = e;
                    }
                }
                chosen[co + j] = arg;
            }
        }
        float sum = 0;
        for (int j = 0; j < k; j++) {
            sum += scores[so + chosen[co + j]];
        }
        boolean renorm = r.sigmoid() && r.normalise();
        for (int j = 0; j < k; j++) {
            float s = scores[so + chosen[co + j]];
            weights[co + j] = (renorm ? s / sum : s) * r.scaling();
        }
    }

    /**
     * Backward of the weights: given {@code dWeights[co .. co+k)}, adds {@code dL/dlogits} to
     * {@code dLogits[lo .. lo+E)}.
     */
    public static void routeBackward(
            Router r, float[] scores, int so, int[] chosen, int co, float[] dWeights, float[] dLogits, int lo) {
        int k = r.topk();
        boolean renorm = r.sigmoid() && r.normalise();
        float sum = 0;
        float gs = 0;
        for (int j = 0; j < k; j++) {
            float s = scores[so + chosen[co + j]];
            sum += s;
            gs += dWeights[co + j] * s;
        }
        if (r.sigmoid()) {
            for (int j = 0; j < k; j++) {
                int e = chosen[co + j];
                float s = scores[so + e];
                float ds = renorm ? r.scaling() * (dWeights[co + j] - gs / sum) / sum : r.scaling() * dWeights[co + j];
                dLogits[lo + e] += ds * s * (1 - s);
            }
        } else {
            // weights = scaling * softmax(logits)[chosen]: d/dlogit_e = s_e * (ds_e - Σ_c s_c ds_c)
            float inner = r.scaling() * gs;
            for (int e = 0; e < r.experts(); e++) {
                float ds = 0;
                for (int j = 0; j < k; j++) {
                    if (chosen[co + j] == e) {
                        ds += r.scaling() * dWeights[co + j];
                    }
                }
                dLogits[lo + e] += scores[so + e] * (ds - inner);
            }
        }
    }

    private static boolean contains(int[] a, int off, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[off + i] == v) {
                return true;
            }
        }
        return false;
    }

    /** {@code act = silu(gate) · up} elementwise over {@code n} values. */
    public static void swiglu(float[] gate, float[] up, float[] act, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            act[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** Backward of {@link #swiglu}: writes {@code dGate} and {@code dUp} (overwriting). */
    public static void swigluBackward(float[] gate, float[] up, float[] dAct, float[] dGate, float[] dUp, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            float sg = (float) (1.0 / (1.0 + Math.exp(-g)));
            float silu = g * sg;
            dUp[i] = dAct[i] * silu;
            dGate[i] = dAct[i] * up[i] * sg * (1 + g * (1 - sg));
        }
    }
}
