package io.thinkloop.engine;

import io.thinkloop.engine.checkpoint.Checkpoint;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.engine.kernel.Hadamard;
import io.thinkloop.engine.kernel.Matrix;
import io.thinkloop.engine.kernel.VectorMath;
import io.thinkloop.engine.kernel.WorkerPool;
import java.nio.file.Path;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A loaded DeepSeek-V3.2 model: the forward pass of the public reference ({@code inference/model.py}
 * of DeepSeek-V3.2-Exp with the indexer's non-interleaved RoPE) over memory-mapped weights.
 *
 * <p>Use: {@code Model m = Model.load(dir); InferenceState s = m.newState(4096);
 * float[] logits = m.prefill(s, promptIds); logits = m.decode(s, nextId); ...}. The returned array
 * is the state's logits buffer, overwritten by the next call. A model is shared by any number of
 * states, but its worker pool runs one forward pass at a time.
 */
public final class Model implements AutoCloseable {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private final ModelConfig cfg;
    private final Checkpoint checkpoint;
    private final Weights w;
    private final WorkerPool pool;
    private final float[] ropeFreqs;
    private final float softmaxScale;
    private final Object forwardLock = new Object();
    private volatile boolean rowwiseMatmul;
    private final Matvec matvec = new Matvec();

    private Model(Checkpoint checkpoint, int threads) {
        this.checkpoint = checkpoint;
        this.cfg = checkpoint.config();
        this.w = new Weights(checkpoint);
        this.pool = new WorkerPool(threads);
        this.ropeFreqs = Rope.frequencies(cfg);
        this.softmaxScale = cfg.softmaxScale();
    }

    /** Loads a checkpoint directory using one thread per available processor. */
    public static Model load(Path dir) {
        return load(dir, Runtime.getRuntime().availableProcessors());
    }

    public static Model load(Path dir, int threads) {
        Checkpoint ck = Checkpoint.open(dir);
        try {
            return new Model(ck, threads);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return cfg;
    }

    public int threads() {
        return pool.threads();
    }

    public InferenceState newState(int maxContext) {
        return newState(maxContext, AttentionMode.SPARSE);
    }

    public InferenceState newState(int maxContext, AttentionMode mode) {
        return new InferenceState(cfg, maxContext, mode, ropeFreqs);
    }

    /** Bytes of weights one decode step reads (attention, dense layers, routed experts used, head). */
    public long weightBytesPerToken() {
        long b = w.lmHead.bytes() + (long) cfg.hiddenSize() * 4;
        for (Weights.Layer l : w.layers) {
            b += l.qA().bytes()
                    + l.qB().bytes()
                    + l.kvA().bytes()
                    + l.kvB().bytes()
                    + l.o().bytes()
                    + l.indexer().wqB().bytes()
                    + l.indexer().wk().bytes()
                    + l.indexer().weightsProj().bytes();
            if (l.dense() != null) {
                b += l.dense().bytes();
            } else {
                b += l.moe().router().bytes()
                        + (l.moe().shared() == null ? 0 : l.moe().shared().bytes())
                        + (long) cfg.numExpertsPerTok() * l.moe().experts()[0].bytes();
            }
        }
        return b;
    }

    /** Appends {@code tokens} to the sequence; returns the logits after the last one. */
    public float[] prefill(InferenceState s, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        return forward(s, tokens);
    }

    /** Appends one token; returns the logits after it. */
    public float[] decode(InferenceState s, int token) {
        s.oneToken[0] = token;
        return forward(s, s.oneToken);
    }

    private float[] forward(InferenceState s, int[] tokens) {
        int n = tokens.length;
        if (s.cfg != cfg) {
            throw new IllegalArgumentException("state belongs to another model");
        }
        if (s.position + n > s.maxContext) {
            throw new IllegalArgumentException(
                    "context full: " + s.position + " + " + n + " tokens > maxContext " + s.maxContext);
        }
        for (int t : tokens) {
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new IllegalArgumentException(
                        "token id " + t + " outside the vocabulary [0, " + cfg.vocabSize() + ")");
            }
        }
        synchronized (forwardLock) {
            InferenceState.Scratch sc = s.scratch(n);
            for (int t = 0; t < n; t++) {
                w.embed.row(tokens[t], sc.h[t], 0);
            }
            for (int l = 0; l < w.layers.length; l++) {
                s.checkCancelled();
                attention(s, sc, l, n);
                feedForward(sc, w.layers[l], n);
            }
            int dim = cfg.hiddenSize();
            VectorMath.rmsNorm(sc.h[n - 1], 0, w.finalNorm, (float) cfg.rmsNormEps(), sc.xn[0], 0, dim);
            head(w.lmHead, sc.xn, s.logits);
            s.position += n;
            return s.logits;
        }
    }

    // ---------------------------------------------------------------- linear layers

    /**
     * Rows per chunk so that a chunk is ~256K multiply-adds: below that, waking a worker costs more
     * than it saves (and far more on a machine shared with other processes).
     */
    private static int rowGrain(Matrix m) {
        return Math.max(1, (1 << 18) / m.cols());
    }

    private void linear(Matrix m, float[][] x, float[][] y, int n) {
        int grain = rowGrain(m);
        if (n == 1) {
            matvec.run(m, x[0], y[0], grain);
        } else if (rowwiseMatmul) {
            pool.parallelFor(m.rows(), Math.max(1, grain / n), (a, b) -> m.matmulRowwise(x, y, n, a, b));
        } else {
            // Whole quads of rows per chunk: the blocked kernel's register tile is four rows tall.
            int rows = m.rows();
            int quads = (rows + 3) / 4;
            pool.parallelFor(
                    quads, Math.max(1, grain / (4 * n)), (a, b) -> m.matmul(x, y, n, 4 * a, Math.min(rows, 4 * b)));
        }
    }

    /**
     * Switches the multi-token product (prefill) between the blocked kernel (default) and the
     * row-wise one it replaced, so that {@code perf engine --baseline rowwise} can time both on one
     * loaded model. Results differ only by float summation order.
     */
    public void useRowwiseMatmul(boolean rowwise) {
        this.rowwiseMatmul = rowwise;
    }

    /** The head: the final hidden row (in x[0]) to logits. */
    private void head(Matrix m, float[][] x, float[] y) {
        matvec.run(m, x[0], y, rowGrain(m));
    }

    /**
     * The decode step's matrix-vector products as one reusable loop body (forward passes hold the
     * model's lock, so one instance serves them all): no capturing lambda per product and token.
     */
    private final class Matvec implements WorkerPool.Range {
        private Matrix m;
        private float[] x;
        private float[] y;

        void run(Matrix m, float[] x, float[] y, int grain) {
            this.m = m;
            this.x = x;
            this.y = y;
            pool.parallelFor(m.rows(), grain, this);
            this.m = null;
            this.x = null;
            this.y = null;
        }

        @Override
        public void run(int from, int to) {
            m.matvec(x, y, from, to);
        }
    }

    // ---------------------------------------------------------------- attention (MLA + DSA)

    private void attention(InferenceState s, InferenceState.Scratch sc, int l, int n) {
        Weights.Layer lw = w.layers[l];
        int dim = cfg.hiddenSize();
        int heads = cfg.numAttentionHeads();
        int nope = cfg.qkNopeHeadDim();
        int rope = cfg.qkRopeHeadDim();
        int qk = nope + rope;
        int kvr = cfg.kvLoraRank();
        int half = rope / 2;
        float eps = (float) cfg.rmsNormEps();
        int p0 = s.position;

        for (int t = 0; t < n; t++) {
            VectorMath.rmsNorm(sc.h[t], 0, lw.attnNorm(), eps, sc.xn[t], 0, dim);
        }
        linear(lw.qA(), sc.xn, sc.qa, n);
        for (int t = 0; t < n; t++) {
            VectorMath.rmsNorm(sc.qa[t], 0, lw.qANorm(), eps, sc.qa[t], 0, cfg.qLoraRank());
        }
        linear(lw.qB(), sc.qa, sc.q, n);
        linear(lw.kvA(), sc.xn, sc.kva, n);
        float[] kvCache = s.kvCache[l];
        float[] peCache = s.peCache[l];
        for (int t = 0; t < n; t++) {
            int pos = p0 + t;
            for (int h = 0; h < heads; h++) {
                Rope.interleaved(sc.q[t], h * qk + nope, pos, half, s.ropeCos, s.ropeSin);
            }
            VectorMath.rmsNorm(sc.kva[t], 0, lw.kvANorm(), eps, sc.kvn[t], 0, kvr);
            System.arraycopy(sc.kvn[t], 0, kvCache, pos * kvr, kvr);
            Rope.interleaved(sc.kva[t], kvr, pos, half, s.ropeCos, s.ropeSin);
            System.arraycopy(sc.kva[t], kvr, peCache, pos * rope, rope);
        }

        select(s, sc, l, n);

        if (p0 == 0 && n > 1) {
            prefillAttention(sc, lw, n);
        } else {
            for (int t = 0; t < n; t++) {
                absorbedAttention(s, sc, lw, l, t);
            }
        }
        linear(lw.o(), sc.att, sc.tmp, n);
        for (int t = 0; t < n; t++) {
            VectorMath.axpy(1f, sc.tmp[t], 0, sc.h[t], 0, dim);
        }
        int last = n - 1;
        s.lastSelectedCount[l] = sc.selCount[last];
        System.arraycopy(sc.sel[last], 0, s.lastSelected[l], 0, sc.selCount[last]);
    }

    /** The MHA form used for a prefill from position 0: keys and values expanded per head. */
    private void prefillAttention(InferenceState.Scratch sc, Weights.Layer lw, int n) {
        int heads = cfg.numAttentionHeads();
        int nope = cfg.qkNopeHeadDim();
        int rope = cfg.qkRopeHeadDim();
        int qk = nope + rope;
        int vd = cfg.vHeadDim();
        int kvb = nope + vd;
        linear(lw.kvB(), sc.kvn, sc.kvb, n);
        float scale = softmaxScale;
        pool.parallelFor(heads, 1, (h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                float[] sco = sc.scores[h];
                for (int t = 0; t < n; t++) {
                    int cnt = sc.selCount[t];
                    int[] sel = sc.sel[t];
                    float[] q = sc.q[t];
                    for (int j = 0; j < cnt; j++) {
                        int sp = sel[j];
                        float d = VectorMath.dot(q, h * qk, sc.kvb[sp], h * kvb, nope)
                                + VectorMath.dot(q, h * qk + nope, sc.kva[sp], cfg.kvLoraRank(), rope);
                        sco[j] = d * scale;
                    }
                    VectorMath.softmax(sco, 0, cnt);
                    float[] out = sc.att[t];
                    Arrays.fill(out, h * vd, h * vd + vd, 0f);
                    for (int j = 0; j < cnt; j++) {
                        VectorMath.axpy(sco[j], sc.kvb[sel[j]], h * kvb + nope, out, h * vd, vd);
                    }
                }
            }
        });
    }

    /**
     * The absorbed (MQA) form over the latent cache: q_nope is folded through kv_b's key half, scores
     * and the weighted sum run on the latent rows of the selected positions only, and kv_b's value
     * half maps the result out. Positions are the outer loop so that each cached row is read once
     * for all heads.
     */
    private void absorbedAttention(InferenceState s, InferenceState.Scratch sc, Weights.Layer lw, int l, int t) {
        int heads = cfg.numAttentionHeads();
        int nope = cfg.qkNopeHeadDim();
        int rope = cfg.qkRopeHeadDim();
        int qk = nope + rope;
        int vd = cfg.vHeadDim();
        int kvr = cfg.kvLoraRank();
        int kvb = nope + vd;
        Matrix wkvb = lw.kvB();
        float[] q = sc.q[t];
        float[] kv = s.kvCache[l];
        float[] pe = s.peCache[l];
        int cnt = sc.selCount[t];
        int[] sel = sc.sel[t];
        float scale = softmaxScale;
        pool.parallelFor(heads, 1, (h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                float[] qa = sc.qabs[h];
                Arrays.fill(qa, 0f);
                for (int d = 0; d < nope; d++) {
                    wkvb.axpy(h * kvb + d, q[h * qk + d], qa, 0);
                }
            }
        });
        pool.parallelFor(cnt, 128, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                int sp = sel[j];
                for (int h = 0; h < heads; h++) {
                    float d = VectorMath.dot(sc.qabs[h], 0, kv, sp * kvr, kvr)
                            + VectorMath.dot(q, h * qk + nope, pe, sp * rope, rope);
                    sc.scores[h][j] = d * scale;
                }
            }
        });
        for (int h = 0; h < heads; h++) {
            VectorMath.softmax(sc.scores[h], 0, cnt);
            Arrays.fill(sc.ctx[h], 0f);
        }
        int units = kvr / F.length();
        // Split the latent columns across threads only when there is enough to share.
        int colGrain = cnt * heads * kvr < (1 << 18) ? units : Math.max(1, units / pool.threads());
        pool.parallelFor(units, colGrain, (c0, c1) -> {
            int a = c0 * F.length();
            int b = c1 == units ? kvr : c1 * F.length();
            for (int j = 0; j < cnt; j++) {
                int base = sel[j] * kvr;
                for (int h = 0; h < heads; h++) {
                    VectorMath.axpy(sc.scores[h][j], kv, base + a, sc.ctx[h], a, b - a);
                }
            }
        });
        float[] out = sc.att[t];
        pool.parallelFor(heads, 1, (h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                for (int d = 0; d < vd; d++) {
                    out[h * vd + d] = wkvb.dot(h * kvb + nope + d, sc.ctx[h], 0);
                }
            }
        });
    }

    // ---------------------------------------------------------------- DSA lightning indexer

    /** Fills {@code sc.sel[t]} with the positions row t attends to (ascending). */
    private void select(InferenceState s, InferenceState.Scratch sc, int l, int n) {
        int p0 = s.position;
        if (s.mode == AttentionMode.DENSE) {
            for (int t = 0; t < n; t++) {
                int cnt = p0 + t + 1;
                for (int j = 0; j < cnt; j++) {
                    sc.sel[t][j] = j;
                }
                sc.selCount[t] = cnt;
            }
            return;
        }
        Weights.Indexer ix = w.layers[l].indexer();
        int id = cfg.indexHeadDim();
        int ih = cfg.indexNHeads();
        int rope = cfg.qkRopeHeadDim();
        int half = rope / 2;
        int blocks = id / 128;
        int topk = cfg.indexTopk();
        float hadamardScale = (float) Math.pow(id, -0.5);

        // Keys of the new positions into the FP8 cache.
        linear(ix.wk(), sc.xn, sc.ik, n);
        byte[] keys = s.indexKeys[l];
        float[] keyScales = s.indexKeyScales[l];
        for (int t = 0; t < n; t++) {
            int pos = p0 + t;
            float[] k = sc.ik[t];
            VectorMath.layerNorm(k, 0, id, ix.kNormWeight(), ix.kNormBias(), 1e-6f);
            Rope.halves(k, 0, pos, half, s.ropeCos, s.ropeSin);
            Hadamard.transform(k, 0, id, hadamardScale);
            int stride = s.keyStride;
            for (int b = 0; b < blocks; b++) {
                keyScales[b * stride + pos] = quantizeBlock(k, b * 128);
            }
            // Transposed layout: blocks of KEY_LANES positions, dimension-major inside a block.
            int kb = (pos / KEY_LANES) * id * KEY_LANES + pos % KEY_LANES;
            for (int d = 0; d < id; d++) {
                keys[kb + d * KEY_LANES] = Fp8.encodeRounded(k[d]);
            }
        }
        boolean anyScored = false;
        for (int t = 0; t < n; t++) {
            int cnt = p0 + t + 1;
            if (cnt <= topk) {
                for (int j = 0; j < cnt; j++) {
                    sc.sel[t][j] = j;
                }
                sc.selCount[t] = cnt;
            } else {
                anyScored = true;
            }
        }
        if (!anyScored) {
            return; // every row sees at most top-k positions: all of them are selected
        }
        linear(ix.wqB(), sc.qa, sc.iq, n);
        linear(ix.weightsProj(), sc.xn, sc.iw, n);
        float headScale = (float) (Math.pow(ih, -0.5) * Math.pow(id, -0.5));
        for (int t = 0; t < n; t++) {
            int pos = p0 + t;
            int cnt = pos + 1;
            if (cnt <= topk) {
                continue;
            }
            float[] q = sc.iq[t];
            for (int h = 0; h < ih; h++) {
                Rope.halves(q, h * id, pos, half, s.ropeCos, s.ropeSin);
                Hadamard.transform(q, h * id, id, hadamardScale);
                for (int b = 0; b < blocks; b++) {
                    sc.qscale[t][h * blocks + b] = quantizeBlock(q, h * id + b * 128);
                }
                sc.iw[t][h] *= headScale;
            }
            // Fold each block's query scale (and 2^100, see scoreKeys) into the query values.
            float[] qt = sc.iqScaled;
            Arrays.fill(qt, 0f);
            for (int h = 0; h < ih; h++) {
                for (int d = 0; d < id; d++) {
                    qt[h * id + d] = q[h * id + d] * sc.qscale[t][h * blocks + d / 128] * 0x1p100f;
                }
            }
            float[] wts = sc.iw[t];
            float[] scores = sc.indexScores;
            int nBlocks = (cnt + KEY_LANES - 1) / KEY_LANES;
            int stride = s.keyStride;
            pool.parallelFor(nBlocks, Math.max(1, (1 << 16) / (ih * id)), (b0, b1) -> {
                for (int kb = b0; kb < b1; kb++) {
                    scoreKeys(keys, keyScales, stride, kb, qt, wts, ih, id, scores, cnt);
                }
            });
            int[] chosen = sc.sel[t];
            TopK.select(scores, cnt, topk, sc.order, chosen);
            sc.selCount[t] = topk;
        }
    }

    /** Positions per block of the transposed FP8 key cache: one float vector of scores. */
    static final int KEY_LANES = F.length();

    /**
     * Index scores of the KEY_LANES positions of key block {@code kb}, one vector lane per position:
     * for each group of 8 heads, walk the key dimensions once, decoding one vector of codes per
     * dimension (value x 2^-120 by the shift trick) and accumulating it times each head's query
     * value (pre-scaled by 2^100, so products stay clear of underflow; 2^20 restores the scale).
     * No horizontal reductions: ReLU, head weights and key scales all act lane-wise.
     */
    private static void scoreKeys(
            byte[] keys,
            float[] keyScales,
            int stride,
            int kb,
            float[] qt,
            float[] wts,
            int ih,
            int id,
            float[] scores,
            int cnt) {
        int base = kb * id * KEY_LANES;
        int p0 = kb * KEY_LANES;
        int blocks = id / 128;
        FloatVector total = FloatVector.zero(F);
        for (int hg = 0; hg < ih; hg += 8) {
            int nh = Math.min(8, ih - hg);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int b = 0; b < blocks; b++) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                int q0 = hg * id;
                for (int d = b * 128; d < (b + 1) * 128; d++) {
                    FloatVector kv = ((IntVector) ByteVector.fromArray(B, keys, base + d * KEY_LANES)
                                    .convertShape(VectorOperators.B2I, I, 0))
                            .lanewise(VectorOperators.LSHL, 20)
                            .lanewise(VectorOperators.AND, 0x87F00000)
                            .reinterpretAsFloats();
                    a0 = kv.fma(FloatVector.broadcast(F, qt[q0 + d]), a0);
                    a1 = kv.fma(FloatVector.broadcast(F, qt[q0 + id + d]), a1);
                    a2 = kv.fma(FloatVector.broadcast(F, qt[q0 + 2 * id + d]), a2);
                    a3 = kv.fma(FloatVector.broadcast(F, qt[q0 + 3 * id + d]), a3);
                    if (nh > 4) {
                        a4 = kv.fma(FloatVector.broadcast(F, qt[q0 + 4 * id + d]), a4);
                        a5 = kv.fma(FloatVector.broadcast(F, qt[q0 + 5 * id + d]), a5);
                        a6 = kv.fma(FloatVector.broadcast(F, qt[q0 + 6 * id + d]), a6);
                        a7 = kv.fma(FloatVector.broadcast(F, qt[q0 + 7 * id + d]), a7);
                    }
                }
                FloatVector ks = FloatVector.fromArray(F, keyScales, b * stride + p0);
                s0 = a0.fma(ks, s0);
                s1 = a1.fma(ks, s1);
                s2 = a2.fma(ks, s2);
                s3 = a3.fma(ks, s3);
                s4 = a4.fma(ks, s4);
                s5 = a5.fma(ks, s5);
                s6 = a6.fma(ks, s6);
                s7 = a7.fma(ks, s7);
            }
            FloatVector zero = FloatVector.zero(F);
            total = s0.max(zero).fma(FloatVector.broadcast(F, wts[hg]), total);
            total = s1.max(zero).fma(FloatVector.broadcast(F, wts[hg + 1]), total);
            total = s2.max(zero).fma(FloatVector.broadcast(F, wts[hg + 2]), total);
            total = s3.max(zero).fma(FloatVector.broadcast(F, wts[hg + 3]), total);
            if (nh > 4) {
                total = s4.max(zero).fma(FloatVector.broadcast(F, wts[hg + 4]), total);
                total = s5.max(zero).fma(FloatVector.broadcast(F, wts[hg + 5]), total);
                total = s6.max(zero).fma(FloatVector.broadcast(F, wts[hg + 6]), total);
                total = s7.max(zero).fma(FloatVector.broadcast(F, wts[hg + 7]), total);
            }
        }
        total = total.mul(0x1p20f);
        if (p0 + KEY_LANES <= cnt) {
            total.intoArray(scores, p0);
        } else {
            for (int i = 0; p0 + i < cnt; i++) {
                scores[p0 + i] = total.lane(i);
            }
        }
    }

    /**
     * Quantizes 128 values at {@code x[off..]} to e4m3 with a power-of-two (ue8m0) scale, which it
     * returns; the rounded values replace x (as e4m3 values, without the scale).
     */
    private static float quantizeBlock(float[] x, int off) {
        float amax = 0;
        for (int i = 0; i < 128; i++) {
            amax = Math.max(amax, Math.abs(x[off + i]));
        }
        float scale = Fp8.blockScale(amax);
        float inv = 1f / scale; // exact: a power of two
        for (int i = 0; i < 128; i++) {
            x[off + i] = Fp8.decode(Fp8.encodeRounded(x[off + i] * inv));
        }
        return scale;
    }

    // ---------------------------------------------------------------- feed-forward (dense MLP / MoE)

    private void feedForward(InferenceState.Scratch sc, Weights.Layer lw, int n) {
        int dim = cfg.hiddenSize();
        float eps = (float) cfg.rmsNormEps();
        for (int t = 0; t < n; t++) {
            VectorMath.rmsNorm(sc.h[t], 0, lw.ffnNorm(), eps, sc.xn[t], 0, dim);
        }
        if (lw.dense() != null) {
            mlp(lw.dense(), sc.xn, sc.tmp, sc.g, sc.u, n);
            for (int t = 0; t < n; t++) {
                VectorMath.axpy(1f, sc.tmp[t], 0, sc.h[t], 0, dim);
            }
            return;
        }
        Weights.Moe moe = lw.moe();
        for (int t = 0; t < n; t++) {
            route(moe, sc, t);
        }
        if (moe.shared() != null) {
            mlp(moe.shared(), sc.xn, sc.acc, sc.g, sc.u, n);
        } else {
            for (int t = 0; t < n; t++) {
                Arrays.fill(sc.acc[t], 0f);
            }
        }
        int k = cfg.numExpertsPerTok();
        for (int e = 0; e < moe.experts().length; e++) {
            int m = 0;
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < k; j++) {
                    if (sc.experts[t][j] == e) {
                        sc.xsRef[m] = sc.xn[t];
                        sc.ysRef[m] = sc.eo[m];
                        sc.gRef[m] = sc.g[m];
                        sc.uRef[m] = sc.u[m];
                        sc.routed[m++] = t * k + j;
                    }
                }
            }
            if (m == 0) {
                continue;
            }
            mlp(moe.experts()[e], sc.xsRef, sc.ysRef, sc.gRef, sc.uRef, m);
            for (int i = 0; i < m; i++) {
                int t = sc.routed[i] / k;
                int j = sc.routed[i] % k;
                VectorMath.axpy(sc.expertWeights[t][j], sc.ysRef[i], 0, sc.acc[t], 0, dim);
            }
        }
        for (int t = 0; t < n; t++) {
            VectorMath.axpy(1f, sc.acc[t], 0, sc.h[t], 0, dim);
        }
    }

    private void mlp(Weights.Mlp m, float[][] x, float[][] out, float[][] g, float[][] u, int n) {
        linear(m.gate(), x, g, n);
        linear(m.up(), x, u, n);
        int inter = m.gate().rows();
        for (int t = 0; t < n; t++) {
            float[] gt = g[t];
            float[] ut = u[t];
            for (int i = 0; i < inter; i++) {
                gt[i] = VectorMath.silu(gt[i]) * ut[i];
            }
        }
        linear(m.down(), g, out, n);
    }

    /**
     * The router: sigmoid (or softmax) scores; the correction bias only steers selection; groups
     * ranked by the sum of their two best biased scores (the best one without bias); top-k experts
     * within the kept groups; weights are the unbiased scores, renormalized, times the scaling factor.
     */
    private void route(Weights.Moe moe, InferenceState.Scratch sc, int t) {
        int ne = cfg.nRoutedExperts();
        float[] logits = sc.routerLogits;
        float[] scores = sc.routerScores;
        float[] biased = sc.routerBiased;
        for (int e = 0; e < ne; e++) {
            logits[e] = moe.router().dot(e, sc.xn[t], 0);
        }
        if (cfg.scoringFunc().equals("sigmoid")) {
            for (int e = 0; e < ne; e++) {
                scores[e] = (float) (1.0 / (1.0 + Math.exp(-logits[e])));
            }
        } else {
            System.arraycopy(logits, 0, scores, 0, ne);
            VectorMath.softmax(scores, 0, ne);
        }
        for (int e = 0; e < ne; e++) {
            biased[e] = moe.bias() == null ? scores[e] : scores[e] + moe.bias()[e];
        }
        int groups = cfg.nGroup();
        if (groups > 1) {
            int per = ne / groups;
            float[] groupScore = sc.groupScores;
            for (int g = 0; g < groups; g++) {
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
                groupScore[g] = moe.bias() == null ? best : best + (per > 1 ? second : 0);
            }
            boolean[] keep = sc.groupKeep;
            Arrays.fill(keep, false);
            for (int r = 0; r < cfg.topkGroup(); r++) {
                int arg = -1;
                for (int g = 0; g < groups; g++) {
                    if (!keep[g] && (arg < 0 || groupScore[g] > groupScore[arg])) {
                        arg = g;
                    }
                }
                keep[arg] = true;
            }
            for (int g = 0; g < groups; g++) {
                if (!keep[g]) {
                    for (int e = g * per; e < (g + 1) * per; e++) {
                        biased[e] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
        }
        int k = cfg.numExpertsPerTok();
        int[] chosen = sc.experts[t];
        float[] wts = sc.expertWeights[t];
        float sum = 0;
        for (int j = 0; j < k; j++) {
            int arg = -1;
            for (int e = 0; e < ne; e++) {
                if (!contains(chosen, j, e) && (arg < 0 || biased[e] > biased[arg])) {
                    arg = e;
                }
            }
            chosen[j] = arg;
            wts[j] = scores[arg];
            sum += scores[arg];
        }
        boolean renorm = cfg.scoringFunc().equals("sigmoid") && cfg.normTopkProb();
        for (int j = 0; j < k; j++) {
            wts[j] = (renorm ? wts[j] / sum : wts[j]) * (float) cfg.routedScalingFactor();
        }
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * One decode step's attention layer (projections, indexer, attention, output projection) at the
     * state's current position, without advancing it: the benchmark's unit of attention cost.
     */
    void attentionStep(InferenceState s, int layer) {
        synchronized (forwardLock) {
            InferenceState.Scratch sc = s.decode;
            attention(s, sc, layer, 1);
        }
    }

    WorkerPool pool() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
        checkpoint.close();
    }
}
