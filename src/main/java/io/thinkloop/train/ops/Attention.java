package io.thinkloop.train.ops;

import io.thinkloop.engine.kernel.VectorMath;
import io.thinkloop.engine.kernel.WorkerPool;
import java.util.Arrays;

/**
 * MLA attention in its MHA form (the form a training step uses: keys and values expanded per head
 * from the kv latent), over a per-query list of attended positions: the indexer's top-k in sparse
 * attention, every earlier position in dense attention. Query head {@code h} is {@code [nope | rope]}
 * of {@code q[t]}, its key is {@code [k_nope(h) | k_pe]} with {@code k_pe} shared by all heads, and
 * its value is the second half of {@code kvb[s]}'s head slice. The softmax probabilities are kept
 * ({@code p}), for the backward pass and as the indexer's KL target.
 *
 * <p>Heads run in parallel on the worker pool: each head writes only its own slices, except the
 * shared {@code k_pe} gradient, which every head accumulates into a private buffer first.
 */
public final class Attention {
    /** Sizes of one attention layer and the attended positions of each query row. */
    public record Shape(
            int tokens, int heads, int nope, int rope, int vDim, float scale, int[][] sel, int[] count, int maxSel) {
        int qk() {
            return nope + rope;
        }

        int kvb() {
            return nope + vDim;
        }
    }

    private Attention() {}

    /**
     * {@code out[t, h] = Σ_j softmax_j(scale · (q_nope·k_nope + q_pe·k_pe)) · v[sel[t][j]]}; the
     * probabilities go to {@code p[(h * tokens + t) * maxSel + j]}.
     */
    public static void forward(Shape s, float[] q, float[] kvb, float[] kpe, float[] p, float[] out, WorkerPool pool) {
        int heads = s.heads();
        run(pool, heads, (h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                forwardHead(s, h, q, kvb, kpe, p, out);
            }
        });
    }

    private static void forwardHead(Shape s, int h, float[] q, float[] kvb, float[] kpe, float[] p, float[] out) {
        int n = s.tokens();
        int qkw = s.heads() * s.qk();
        int kvw = s.heads() * s.kvb();
        int vw = s.heads() * s.vDim();
        for (int t = 0; t < n; t++) {
            int cnt = s.count()[t];
            int[] sel = s.sel()[t];
            int po = (h * n + t) * s.maxSel();
            int qo = t * qkw + h * s.qk();
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cnt; j++) {
                int sp = sel[j];
                float d = VectorMath.dot(q, qo, kvb, sp * kvw + h * s.kvb(), s.nope())
                        + VectorMath.dot(q, qo + s.nope(), kpe, sp * s.rope(), s.rope());
                float v = d * s.scale();
                p[po + j] = v;
                max = Math.max(max, v);
            }
            float sum = 0;
            for (int j = 0; j < cnt; j++) {
                float e = (float) Math.exp(p[po + j] - max);
                p[po + j] = e;
                sum += e;
            }
            float invSum = 1f / sum;
            int oo = t * vw + h * s.vDim();
            Arrays.fill(out, oo, oo + s.vDim(), 0f);
            for (int j = 0; j < cnt; j++) {
                p[po + j] *= invSum;
                VectorMath.axpy(p[po + j], kvb, sel[j] * kvw + h * s.kvb() + s.nope(), out, oo, s.vDim());
            }
        }
    }

    /**
     * Adds the gradients of {@code q}, {@code kvb} and {@code kpe} given {@code dOut}; {@code p} is
     * the forward's probabilities.
     */
    public static void backward(
            Shape s,
            float[] q,
            float[] kvb,
            float[] kpe,
            float[] p,
            float[] dOut,
            float[] dq,
            float[] dkvb,
            float[] dkpe,
            WorkerPool pool) {
        int heads = s.heads();
        float[][] dkpeHead = new float[heads][];
        run(pool, heads, (h0, h1) -> {
            float[] dp = new float[Math.max(1, s.maxSel())];
            for (int h = h0; h < h1; h++) {
                dkpeHead[h] = new float[s.tokens() * s.rope()];
                backwardHead(s, h, q, kvb, kpe, p, dOut, dq, dkvb, dkpeHead[h], dp);
            }
        });
        for (float[] part : dkpeHead) {
            VectorMath.axpy(1f, part, 0, dkpe, 0, part.length);
        }
    }

    private static void backwardHead(
            Shape s,
            int h,
            float[] q,
            float[] kvb,
            float[] kpe,
            float[] p,
            float[] dOut,
            float[] dq,
            float[] dkvb,
            float[] dkpe,
            float[] dp) {
        int n = s.tokens();
        int qkw = s.heads() * s.qk();
        int kvw = s.heads() * s.kvb();
        int vw = s.heads() * s.vDim();
        int nope = s.nope();
        int rope = s.rope();
        for (int t = 0; t < n; t++) {
            int cnt = s.count()[t];
            int[] sel = s.sel()[t];
            int po = (h * n + t) * s.maxSel();
            int qo = t * qkw + h * s.qk();
            int oo = t * vw + h * s.vDim();
            float dot = 0;
            for (int j = 0; j < cnt; j++) {
                int vo = sel[j] * kvw + h * s.kvb() + nope;
                dp[j] = VectorMath.dot(dOut, oo, kvb, vo, s.vDim());
                dot += dp[j] * p[po + j];
                VectorMath.axpy(p[po + j], dOut, oo, dkvb, vo, s.vDim());
            }
            for (int j = 0; j < cnt; j++) {
                int sp = sel[j];
                float dl = p[po + j] * (dp[j] - dot) * s.scale();
                if (dl == 0f) {
                    continue;
                }
                int ko = sp * kvw + h * s.kvb();
                VectorMath.axpy(dl, kvb, ko, dq, qo, nope);
                VectorMath.axpy(dl, kpe, sp * rope, dq, qo + nope, rope);
                VectorMath.axpy(dl, q, qo, dkvb, ko, nope);
                VectorMath.axpy(dl, q, qo + nope, dkpe, sp * rope, rope);
            }
        }
    }

    static void run(WorkerPool pool, int n, WorkerPool.Range body) {
        if (pool == null) {
            body.run(0, n);
        } else {
            pool.parallelFor(n, 1, body);
        }
    }
}
