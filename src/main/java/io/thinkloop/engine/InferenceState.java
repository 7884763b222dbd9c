package io.thinkloop.engine;

import io.thinkloop.engine.checkpoint.ModelConfig;
import java.util.Arrays;
import java.util.concurrent.CancellationException;

/**
 * One sequence's state: the latent KV cache (normalized kv latent + rotated k_rope per position),
 * the indexer's FP8 key cache with per-token block scales, RoPE tables, and preallocated buffers
 * so that a decode step allocates nothing. Not thread-safe: one sequence, one caller at a time.
 * {@link #cancel()} may be called from any thread; the forward pass checks it between layers.
 */
public final class InferenceState {
    final ModelConfig cfg;
    final AttentionMode mode;
    final int maxContext;
    int position;
    private volatile boolean cancelled;

    final float[][] kvCache;
    final float[][] peCache;
    final byte[][] indexKeys;
    /** FP8 index keys per layer, transposed in blocks of {@link Model#KEY_LANES} positions. */
    final float[][] indexKeyScales;
    /** Positions allocated in the key cache (maxContext rounded up to whole key blocks). */
    final int keyStride;

    final float[] ropeCos;
    final float[] ropeSin;
    final int[][] lastSelected;
    final int[] lastSelectedCount;
    final float[] logits;
    final int[] oneToken = new int[1];

    final Scratch decode;
    Scratch prefill;

    /** Buffers for a forward pass over {@code capacity} tokens. */
    static final class Scratch {
        final int capacity;
        final float[][] h, xn, qa, q, kva, kvn, att, tmp, g, u, acc, eo, iq, ik, iw, kvb;
        final float[][] qscale;
        final float[] iqScaled;
        final int[][] sel;
        final int[] selCount;
        final float[][] scores;
        final float[][] qabs, ctx;
        final float[] indexScores;
        final int[] order;
        final float[] routerLogits, routerScores, routerBiased;
        final int[][] experts;
        final float[][] expertWeights;
        final int[] routed;
        final float[] groupScores;
        final boolean[] groupKeep;
        final float[][] xsRef, ysRef, gRef, uRef;

        Scratch(ModelConfig c, int capacity, int maxContext, AttentionMode mode) {
            this.capacity = capacity;
            int n = capacity;
            int dim = c.hiddenSize();
            int heads = c.numAttentionHeads();
            int inter = Math.max(c.intermediateSize(), c.moeIntermediateSize() * Math.max(1, c.nSharedExperts()));
            int maxSel = mode == AttentionMode.DENSE ? maxContext : Math.min(maxContext, c.indexTopk());
            h = new float[n][dim];
            xn = new float[n][dim];
            qa = new float[n][c.qLoraRank()];
            q = new float[n][heads * c.qkHeadDim()];
            kva = new float[n][c.kvLoraRank() + c.qkRopeHeadDim()];
            kvn = new float[n][c.kvLoraRank()];
            att = new float[n][heads * c.vHeadDim()];
            tmp = new float[n][dim];
            g = new float[n][inter];
            u = new float[n][inter];
            acc = new float[n][dim];
            eo = new float[n][dim];
            iq = new float[n][c.indexNHeads() * c.indexHeadDim()];
            ik = new float[n][c.indexHeadDim()];
            iw = new float[n][(c.indexNHeads() + 7) / 8 * 8]; // padded: the scoring kernel takes heads in 8s
            qscale = new float[n][c.indexNHeads() * (c.indexHeadDim() / 128)];
            iqScaled = new float[(c.indexNHeads() + 7) / 8 * 8 * c.indexHeadDim()];
            kvb = n > 1 ? new float[n][heads * (c.qkNopeHeadDim() + c.vHeadDim())] : null;
            sel = new int[n][maxSel];
            selCount = new int[n];
            scores = new float[heads][maxSel];
            qabs = new float[heads][c.kvLoraRank()];
            ctx = new float[heads][c.kvLoraRank()];
            indexScores = new float[maxContext];
            order = new int[maxContext];
            routerLogits = new float[c.nRoutedExperts()];
            routerScores = new float[c.nRoutedExperts()];
            routerBiased = new float[c.nRoutedExperts()];
            experts = new int[n][c.numExpertsPerTok()];
            expertWeights = new float[n][c.numExpertsPerTok()];
            routed = new int[n * c.numExpertsPerTok()];
            groupScores = new float[c.nGroup()];
            groupKeep = new boolean[c.nGroup()];
            xsRef = new float[n][];
            ysRef = new float[n][];
            gRef = new float[n][];
            uRef = new float[n][];
        }
    }

    InferenceState(ModelConfig cfg, int maxContext, AttentionMode mode, float[] ropeFreqs) {
        if (maxContext < 1) {
            throw new IllegalArgumentException("maxContext must be >= 1");
        }
        this.cfg = cfg;
        this.mode = mode;
        this.maxContext = maxContext;
        int layers = cfg.numHiddenLayers();
        keyStride = (maxContext + Model.KEY_LANES - 1) / Model.KEY_LANES * Model.KEY_LANES;
        kvCache = new float[layers][];
        peCache = new float[layers][];
        indexKeys = new byte[layers][];
        indexKeyScales = new float[layers][];
        for (int l = 0; l < layers; l++) {
            kvCache[l] = new float[maxContext * cfg.kvLoraRank()];
            peCache[l] = new float[maxContext * cfg.qkRopeHeadDim()];
            if (mode == AttentionMode.SPARSE) {
                indexKeys[l] = new byte[keyStride * cfg.indexHeadDim()];
                indexKeyScales[l] = new float[keyStride * (cfg.indexHeadDim() / 128)];
            }
        }
        int half = cfg.qkRopeHeadDim() / 2;
        ropeCos = new float[maxContext * half];
        ropeSin = new float[maxContext * half];
        Rope.tables(ropeFreqs, maxContext, ropeCos, ropeSin);
        lastSelected =
                new int[layers][mode == AttentionMode.DENSE ? maxContext : Math.min(maxContext, cfg.indexTopk())];
        lastSelectedCount = new int[layers];
        logits = new float[cfg.vocabSize()];
        decode = new Scratch(cfg, 1, maxContext, mode);
    }

    Scratch scratch(int tokens) {
        if (tokens == 1) {
            return decode;
        }
        if (prefill == null || prefill.capacity < tokens) {
            prefill = new Scratch(cfg, tokens, maxContext, mode);
        }
        return prefill;
    }

    /** Tokens processed so far: the position the next token takes. */
    public int position() {
        return position;
    }

    public int maxContext() {
        return maxContext;
    }

    public AttentionMode mode() {
        return mode;
    }

    /** The positions layer {@code layer} attended to for the last token processed, ascending. */
    public int[] selectedPositions(int layer) {
        return Arrays.copyOf(lastSelected[layer], lastSelectedCount[layer]);
    }

    /**
     * Asks the running (or next) forward pass to stop at the next layer boundary with a
     * CancellationException; the sequence stays as it was before that pass.
     */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Forgets the sequence (keeps the buffers) so the state can serve a new one. */
    public void reset() {
        position = 0;
        cancelled = false;
    }

    /** Throws once per {@link #cancel()}: the pass stops, the tokens it was adding are not appended. */
    void checkCancelled() {
        if (cancelled || Thread.currentThread().isInterrupted()) {
            cancelled = false;
            throw new CancellationException("inference cancelled");
        }
    }
}
