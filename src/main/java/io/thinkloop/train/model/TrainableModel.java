package io.thinkloop.train.model;

import io.thinkloop.engine.Rope;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.kernel.Hadamard;
import io.thinkloop.engine.kernel.VectorMath;
import io.thinkloop.engine.kernel.WorkerPool;
import io.thinkloop.train.Parameter;
import io.thinkloop.train.Trainable;
import io.thinkloop.train.ops.Attention;
import io.thinkloop.train.ops.CrossEntropy;
import io.thinkloop.train.ops.IndexerOps;
import io.thinkloop.train.ops.Linear;
import io.thinkloop.train.ops.MoeOps;
import io.thinkloop.train.ops.Norm;
import io.thinkloop.train.ops.Rotary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DeepSeek-V3.2 architecture as a {@link Trainable}: the engine's forward pass
 * ({@code io.thinkloop.engine.Model}, MHA form) over float32 {@link Parameter}s named as the
 * checkpoint's tensors, with its backward pass.
 *
 * <p>Use: {@code TrainableModel m = TrainableModel.load(dir, threads)} (or {@link #create} for a
 * fresh model), then per sequence {@link #forwardBackward(int[], float[], Stage)}, then the optimizer
 * updates {@code parameters()} in place and {@link #updateRoutingBias} applies the MoE balancing rule;
 * {@link #save} writes a checkpoint that {@code Model.load} reads.
 *
 * <p>Losses and gradients follow the training contract: {@code lmLossSum = Σ_t lossWeight[t]·CE_t}
 * (natural log, position t predicts token t+1); {@code auxLoss = Σ_layers Σ_t KL_t}, the indexer's KL
 * to the main attention over the attended set. In {@link Stage#SPARSE} the main parameters receive
 * {@code d lmLossSum} and the indexer's parameters {@code d auxLoss} (its inputs are detached); in
 * {@link Stage#DENSE_WARMUP} attention is dense and only the indexer's parameters receive a gradient.
 * Gradients accumulate into {@code Parameter.grad}. One step at a time: the model is not thread-safe.
 */
public final class TrainableModel implements Trainable, AutoCloseable {
    private static final int HEAD_CHUNK = 64;

    private final ModelConfig cfg;
    private final List<Parameter> params;
    private final Map<String, Parameter> byName;
    final Parameter embed;
    final Parameter head;
    final Parameter finalNorm;
    final LayerParams[] layers;
    private final WorkerPool pool;
    private final float[] freqs;
    private final float softmaxScale;
    private final MoeOps.Router router;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private int ropePositions;
    private Routing lastRouting;

    /** The parameters of one layer, by role (MoE fields null in dense layers and vice versa). */
    static final class LayerParams {
        Parameter attnNorm, qA, qANorm, qB, kvA, kvANorm, kvB, o;
        Parameter iqB, ik, ikNormW, ikNormB, iwp;
        Parameter ffnNorm;
        Parameter[] dense;
        Parameter router;
        float[] bias;
        Parameter[][] experts;
        Parameter[] shared;
        long[] load;
    }

    TrainableModel(ModelConfig cfg, Map<String, Parameter> named, Map<Integer, float[]> biases, int threads) {
        this.cfg = cfg;
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(named));
        this.params = List.copyOf(named.values());
        this.pool = new WorkerPool(threads);
        this.freqs = Rope.frequencies(cfg);
        this.softmaxScale = cfg.softmaxScale();
        this.router = new MoeOps.Router(
                cfg.nRoutedExperts(),
                cfg.nGroup(),
                cfg.topkGroup(),
                cfg.numExpertsPerTok(),
                cfg.scoringFunc().equals("sigmoid"),
                cfg.normTopkProb(),
                (float) cfg.routedScalingFactor());
        embed = named.get(ParameterLayout.EMBED);
        head = named.containsKey(ParameterLayout.HEAD) ? named.get(ParameterLayout.HEAD) : embed;
        finalNorm = named.get(ParameterLayout.FINAL_NORM);
        layers = new LayerParams[cfg.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            LayerParams lp = new LayerParams();
            lp.attnNorm = named.get(p + "input_layernorm.weight");
            lp.qA = named.get(a + "q_a_proj.weight");
            lp.qANorm = named.get(a + "q_a_layernorm.weight");
            lp.qB = named.get(a + "q_b_proj.weight");
            lp.kvA = named.get(a + "kv_a_proj_with_mqa.weight");
            lp.kvANorm = named.get(a + "kv_a_layernorm.weight");
            lp.kvB = named.get(a + "kv_b_proj.weight");
            lp.o = named.get(a + "o_proj.weight");
            lp.iqB = named.get(a + "indexer.wq_b.weight");
            lp.ik = named.get(a + "indexer.wk.weight");
            lp.ikNormW = named.get(a + "indexer.k_norm.weight");
            lp.ikNormB = named.get(a + "indexer.k_norm.bias");
            lp.iwp = named.get(a + "indexer.weights_proj.weight");
            lp.ffnNorm = named.get(p + "post_attention_layernorm.weight");
            if (l < cfg.firstKDenseReplace()) {
                lp.dense = mlp(named, p + "mlp.");
            } else {
                lp.router = named.get(p + "mlp.gate.weight");
                lp.bias = biases.get(l);
                lp.experts = new Parameter[cfg.nRoutedExperts()][];
                for (int e = 0; e < lp.experts.length; e++) {
                    lp.experts[e] = mlp(named, p + "mlp.experts." + e + ".");
                }
                lp.shared = cfg.nSharedExperts() > 0 ? mlp(named, p + "mlp.shared_experts.") : null;
                lp.load = new long[cfg.nRoutedExperts()];
            }
            layers[l] = lp;
        }
    }

    private static Parameter[] mlp(Map<String, Parameter> named, String p) {
        return new Parameter[] {
            named.get(p + "gate_proj.weight"), named.get(p + "up_proj.weight"), named.get(p + "down_proj.weight")
        };
    }

    /**
     * Loads a checkpoint directory (F32, BF16 or FP8 weights; FP8 dequantised with its block scales)
     * into float32 parameters; {@code threads} workers run attention and the indexer.
     */
    public static TrainableModel load(Path dir, int threads) {
        return CheckpointIo.load(dir, threads);
    }

    /**
     * A freshly initialised model of {@code cfg}: linear weights uniform with variance 1/fan-in,
     * embeddings with variance 1, norm weights 1, biases 0; the same seed gives the same values.
     */
    public static TrainableModel create(ModelConfig cfg, long seed, int threads) {
        return CheckpointIo.create(cfg, seed, threads);
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (F32, plus the routing bias buffers)
     * into {@code dir}, created if needed; {@code io.thinkloop.engine.Model.load(dir)} reads it.
     */
    public void save(Path dir) {
        CheckpointIo.save(this, dir);
    }

    public ModelConfig config() {
        return cfg;
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    /** The parameter named as its checkpoint tensor, or null. */
    public Parameter parameter(String name) {
        return byName.get(name);
    }

    /** The MoE correction bias of {@code layer} (live array), or null for dense layers. */
    public float[] routingBias(int layer) {
        return layers[layer].bias;
    }

    /** Stage {@link Stage#SPARSE}, the router choosing freely. */
    @Override
    public StepLoss forwardBackward(int[] tokens, float[] lossWeight) {
        return forwardBackward(tokens, lossWeight, Stage.SPARSE, null);
    }

    public StepLoss forwardBackward(int[] tokens, float[] lossWeight, Stage stage) {
        return forwardBackward(tokens, lossWeight, stage, null);
    }

    /**
     * One sequence's forward and backward in {@code stage}; with {@code forced} non-null, every MoE
     * layer uses the experts recorded there (see {@link #lastRouting()}). Counts expert loads for
     * {@link #updateRoutingBias}.
     */
    public StepLoss forwardBackward(int[] tokens, float[] lossWeight, Stage stage, Routing forced) {
        checkWeights(tokens, lossWeight);
        return new Pass(tokens, lossWeight, stage, forced, true).run();
    }

    /** The loss of one sequence without gradients (sparse attention, as at inference). */
    public StepLoss loss(int[] tokens, float[] lossWeight) {
        checkWeights(tokens, lossWeight);
        return new Pass(tokens, lossWeight, Stage.SPARSE, null, false).run();
    }

    /** Logits of every position, {@code [tokens x vocab]} row-major (sparse attention, as at inference). */
    public float[] logits(int[] tokens) {
        Pass p = new Pass(tokens, null, Stage.SPARSE, null, false);
        p.run();
        return p.allLogits;
    }

    /** The experts each MoE layer chose in the last forward pass. */
    public Routing lastRouting() {
        return lastRouting;
    }

    /**
     * The auxiliary-loss-free balancing rule over the tokens routed since the last call (by
     * {@code forwardBackward}): {@code bias_i += gamma · sign(mean_load − load_i)}; then the counts restart.
     */
    public void updateRoutingBias(float gamma) {
        for (LayerParams lp : layers) {
            if (lp.load == null) {
                continue;
            }
            if (lp.bias == null) {
                lp.bias = new float[cfg.nRoutedExperts()];
            }
            double mean = 0;
            for (long c : lp.load) {
                mean += c;
            }
            mean /= lp.load.length;
            for (int e = 0; e < lp.load.length; e++) {
                lp.bias[e] += gamma * (float) Math.signum(mean - lp.load[e]);
            }
            Arrays.fill(lp.load, 0);
        }
    }

    /** Expert loads counted since the last {@link #updateRoutingBias} (live array; null for dense layers). */
    public long[] expertLoad(int layer) {
        return layers[layer].load;
    }

    @Override
    public void close() {
        pool.close();
    }

    private void checkWeights(int[] tokens, float[] lossWeight) {
        if (tokens.length < 2 || lossWeight.length != tokens.length - 1) {
            throw new IllegalArgumentException("need at least 2 tokens and lossWeight.length == tokens.length - 1, got "
                    + tokens.length + " tokens and " + lossWeight.length + " weights");
        }
    }

    private void ensureRope(int positions) {
        if (positions <= ropePositions) {
            return;
        }
        int n = Math.max(positions, ropePositions * 2);
        int half = cfg.qkRopeHeadDim() / 2;
        cos = new float[n * half];
        sin = new float[n * half];
        Rope.tables(freqs, n, cos, sin);
        ropePositions = n;
    }

    /** What one layer's forward keeps for its backward. */
    private static final class LayerActs {
        float[] hIn, xn, inv1, qaRaw, invQ, qr, q, kva, kvn, invKv, kpe, kvb, p, att;
        int[][] sel;
        int[] count;
        int maxSel;
        Attention.Shape shape;
        float[] hMid, xn2, inv2;
        // dense / shared MLP
        float[] g, u, a, sg, su, sa;
        // MoE
        float[] routerLogits, scores, weights;
        int[] chosen;
        int[][] expertRows;
        float[][] ex, eg, eu, ea, ey;
    }

    /** One forward (and optionally backward) pass over a sequence. */
    private final class Pass {
        final int[] tokens;
        final float[] lossWeight;
        final Stage stage;
        final Routing forced;
        final boolean train;
        final int n;
        final int dim;
        final LayerActs[] acts;
        final int[][] routed;
        float[] allLogits;
        double lmLoss;
        double weightSum;
        double aux;

        Pass(int[] tokens, float[] lossWeight, Stage stage, Routing forced, boolean train) {
            this.tokens = tokens;
            this.lossWeight = lossWeight;
            this.stage = stage;
            this.forced = forced;
            this.train = train;
            this.n = tokens.length;
            this.dim = cfg.hiddenSize();
            this.acts = new LayerActs[layers.length];
            this.routed = new int[layers.length][];
            for (int t : tokens) {
                if (t < 0 || t >= cfg.vocabSize()) {
                    throw new IllegalArgumentException(
                            "token id " + t + " outside the vocabulary [0, " + cfg.vocabSize() + ")");
                }
            }
            if (forced != null && forced.experts().length != layers.length) {
                throw new IllegalArgumentException(
                        "forced routing has " + forced.experts().length + " layers, the model " + layers.length);
            }
        }

        StepLoss run() {
            ensureRope(n);
            float[] h = new float[n * dim];
            for (int t = 0; t < n; t++) {
                System.arraycopy(embed.value(), tokens[t] * dim, h, t * dim, dim);
            }
            for (int l = 0; l < layers.length; l++) {
                LayerActs la = new LayerActs();
                acts[l] = la;
                attentionForward(l, la, h);
                ffnForward(l, la, h);
            }
            lastRouting = new Routing(routed);
            float[] xf = new float[n * dim];
            float[] invF = new float[n];
            Norm.rmsForward(h, dim, xf, dim, n, dim, finalNorm.value(), eps(), invF);
            boolean mainGrad = train && stage == Stage.SPARSE;
            float[] dxf = mainGrad ? new float[n * dim] : null;
            headAndLoss(xf, dxf);
            if (mainGrad) {
                float[] dh = new float[n * dim];
                Norm.rmsBackward(h, dim, dxf, dim, dh, dim, n, dim, finalNorm.value(), invF, finalNorm.grad());
                for (int l = layers.length - 1; l >= 0; l--) {
                    ffnBackward(l, acts[l], dh);
                    attentionBackward(l, acts[l], dh);
                }
                for (int t = 0; t < n; t++) {
                    VectorMath.axpy(1f, dh, t * dim, embed.grad(), tokens[t] * dim, dim);
                }
            }
            return new StepLoss(lmLoss, weightSum, aux);
        }

        private float eps() {
            return (float) cfg.rmsNormEps();
        }

        /** Logits in chunks of rows, cross-entropy, and (when dxf is not null) the head's backward. */
        private void headAndLoss(float[] xf, float[] dxf) {
            int vocab = cfg.vocabSize();
            if (lossWeight == null) {
                allLogits = new float[n * vocab];
                Linear.forward(xf, head.value(), allLogits, n, vocab, dim);
                return;
            }
            int[] rows = new int[n];
            int m = 0;
            for (int t = 0; t + 1 < n; t++) {
                if (lossWeight[t] != 0f) {
                    rows[m++] = t;
                }
                weightSum += lossWeight[t];
            }
            float[] x = new float[HEAD_CHUNK * dim];
            float[] lg = new float[HEAD_CHUNK * vocab];
            float[] dx = new float[HEAD_CHUNK * dim];
            for (int c0 = 0; c0 < m; c0 += HEAD_CHUNK) {
                int c = Math.min(HEAD_CHUNK, m - c0);
                for (int i = 0; i < c; i++) {
                    System.arraycopy(xf, rows[c0 + i] * dim, x, i * dim, dim);
                }
                Linear.forward(x, head.value(), lg, c, vocab, dim);
                for (int i = 0; i < c; i++) {
                    int t = rows[c0 + i];
                    lmLoss += CrossEntropy.row(lg, i, vocab, tokens[t + 1], lossWeight[t], dxf != null);
                }
                if (dxf != null) {
                    Linear.backward(lg, x, head.value(), dx, false, head.grad(), c, vocab, dim);
                    for (int i = 0; i < c; i++) {
                        VectorMath.axpy(1f, dx, i * dim, dxf, rows[c0 + i] * dim, dim);
                    }
                }
            }
        }

        // ------------------------------------------------------------ attention

        private void attentionForward(int l, LayerActs la, float[] h) {
            LayerParams lp = layers[l];
            int heads = cfg.numAttentionHeads();
            int nope = cfg.qkNopeHeadDim();
            int rope = cfg.qkRopeHeadDim();
            int qk = nope + rope;
            int kvr = cfg.kvLoraRank();
            int qr = cfg.qLoraRank();
            int vd = cfg.vHeadDim();
            int half = rope / 2;
            la.hIn = h.clone();
            la.xn = new float[n * dim];
            la.inv1 = new float[n];
            Norm.rmsForward(h, dim, la.xn, dim, n, dim, lp.attnNorm.value(), eps(), la.inv1);
            la.qaRaw = new float[n * qr];
            Linear.forward(la.xn, lp.qA.value(), la.qaRaw, n, qr, dim);
            la.qr = new float[n * qr];
            la.invQ = new float[n];
            Norm.rmsForward(la.qaRaw, qr, la.qr, qr, n, qr, lp.qANorm.value(), eps(), la.invQ);
            la.q = new float[n * heads * qk];
            Linear.forward(la.qr, lp.qB.value(), la.q, n, heads * qk, qr);
            la.kva = new float[n * (kvr + rope)];
            Linear.forward(la.xn, lp.kvA.value(), la.kva, n, kvr + rope, dim);
            la.kvn = new float[n * kvr];
            la.invKv = new float[n];
            Norm.rmsForward(la.kva, kvr + rope, la.kvn, kvr, n, kvr, lp.kvANorm.value(), eps(), la.invKv);
            la.kpe = new float[n * rope];
            for (int t = 0; t < n; t++) {
                for (int hh = 0; hh < heads; hh++) {
                    Rotary.interleaved(la.q, (t * heads + hh) * qk + nope, t, half, cos, sin, false);
                }
                System.arraycopy(la.kva, t * (kvr + rope) + kvr, la.kpe, t * rope, rope);
                Rotary.interleaved(la.kpe, t * rope, t, half, cos, sin, false);
            }
            la.kvb = new float[n * heads * (nope + vd)];
            Linear.forward(la.kvn, lp.kvB.value(), la.kvb, n, heads * (nope + vd), kvr);

            Indexer ix = new Indexer(l, la);
            ix.forward();
            la.p = new float[heads * n * la.maxSel];
            la.att = new float[n * heads * vd];
            la.shape = new Attention.Shape(n, heads, nope, rope, vd, softmaxScale, la.sel, la.count, la.maxSel);
            Attention.forward(la.shape, la.q, la.kvb, la.kpe, la.p, la.att, pool);
            ix.klLoss(train);

            float[] o = new float[n * dim];
            Linear.forward(la.att, lp.o.value(), o, n, dim, heads * vd);
            VectorMath.axpy(1f, o, 0, h, 0, n * dim);
        }

        private void attentionBackward(int l, LayerActs la, float[] dh) {
            LayerParams lp = layers[l];
            int heads = cfg.numAttentionHeads();
            int nope = cfg.qkNopeHeadDim();
            int rope = cfg.qkRopeHeadDim();
            int qk = nope + rope;
            int kvr = cfg.kvLoraRank();
            int qr = cfg.qLoraRank();
            int vd = cfg.vHeadDim();
            int half = rope / 2;
            float[] dAtt = new float[n * heads * vd];
            Linear.backward(dh, la.att, lp.o.value(), dAtt, false, lp.o.grad(), n, dim, heads * vd);
            float[] dq = new float[n * heads * qk];
            float[] dkvb = new float[n * heads * (nope + vd)];
            float[] dkpe = new float[n * rope];
            Attention.backward(la.shape, la.q, la.kvb, la.kpe, la.p, dAtt, dq, dkvb, dkpe, pool);
            float[] dkvn = new float[n * kvr];
            Linear.backward(dkvb, la.kvn, lp.kvB.value(), dkvn, false, lp.kvB.grad(), n, heads * (nope + vd), kvr);
            float[] dkva = new float[n * (kvr + rope)];
            for (int t = 0; t < n; t++) {
                Rotary.interleaved(dkpe, t * rope, t, half, cos, sin, true);
                System.arraycopy(dkpe, t * rope, dkva, t * (kvr + rope) + kvr, rope);
                for (int hh = 0; hh < heads; hh++) {
                    Rotary.interleaved(dq, (t * heads + hh) * qk + nope, t, half, cos, sin, true);
                }
            }
            Norm.rmsBackward(
                    la.kva,
                    kvr + rope,
                    dkvn,
                    kvr,
                    dkva,
                    kvr + rope,
                    n,
                    kvr,
                    lp.kvANorm.value(),
                    la.invKv,
                    lp.kvANorm.grad());
            float[] dxn = new float[n * dim];
            Linear.backward(dkva, la.xn, lp.kvA.value(), dxn, false, lp.kvA.grad(), n, kvr + rope, dim);
            float[] dqr = new float[n * qr];
            Linear.backward(dq, la.qr, lp.qB.value(), dqr, false, lp.qB.grad(), n, heads * qk, qr);
            float[] dqa = new float[n * qr];
            Norm.rmsBackward(la.qaRaw, qr, dqr, qr, dqa, qr, n, qr, lp.qANorm.value(), la.invQ, lp.qANorm.grad());
            Linear.backward(dqa, la.xn, lp.qA.value(), dxn, true, lp.qA.grad(), n, qr, dim);
            Norm.rmsBackward(la.hIn, dim, dxn, dim, dh, dim, n, dim, lp.attnNorm.value(), la.inv1, lp.attnNorm.grad());
        }

        // ------------------------------------------------------------ DSA indexer

        /** The indexer of one layer: selection, and its KL loss and gradients once attention ran. */
        private final class Indexer {
            final int l;
            final LayerActs la;
            final LayerParams lp;
            final int ih = cfg.indexNHeads();
            final int id = cfg.indexHeadDim();
            final int half = cfg.qkRopeHeadDim() / 2;
            final float hadamard = (float) Math.pow(cfg.indexHeadDim(), -0.5);
            final float headScale = (float) (Math.pow(cfg.indexNHeads(), -0.5) * Math.pow(cfg.indexHeadDim(), -0.5));
            float[] qHat, kRaw, kMean, kInv, kHat, w, score;

            Indexer(int l, LayerActs la) {
                this.l = l;
                this.la = la;
                this.lp = layers[l];
            }

            void forward() {
                int qr = cfg.qLoraRank();
                qHat = new float[n * ih * id];
                Linear.forward(la.qr, lp.iqB.value(), qHat, n, ih * id, qr);
                kRaw = new float[n * id];
                Linear.forward(la.xn, lp.ik.value(), kRaw, n, id, dim);
                kHat = new float[n * id];
                kMean = new float[n];
                kInv = new float[n];
                Norm.layerForward(kRaw, kHat, n, id, lp.ikNormW.value(), lp.ikNormB.value(), 1e-6f, kMean, kInv);
                w = new float[n * ih];
                Linear.forward(la.xn, lp.iwp.value(), w, n, ih, dim);
                VectorMath.scale(w, 0, n * ih, headScale);
                for (int t = 0; t < n; t++) {
                    Rotary.halves(kHat, t * id, t, half, cos, sin, false);
                    Hadamard.transform(kHat, t * id, id, hadamard);
                    IndexerOps.quantizeSte(kHat, t * id, id);
                    for (int hh = 0; hh < ih; hh++) {
                        int off = (t * ih + hh) * id;
                        Rotary.halves(qHat, off, t, half, cos, sin, false);
                        Hadamard.transform(qHat, off, id, hadamard);
                        IndexerOps.quantizeSte(qHat, off, id);
                    }
                }
                boolean dense = stage == Stage.DENSE_WARMUP;
                int topk = cfg.indexTopk();
                la.maxSel = dense ? n : Math.min(n, topk);
                la.sel = new int[n][];
                la.count = new int[n];
                score = new float[n * la.maxSel];
                int maxSel = la.maxSel;
                pool.parallelFor(n, 16, (t0, t1) -> {
                    float[] row = new float[n];
                    int[] order = new int[n];
                    for (int t = t0; t < t1; t++) {
                        int cnt = t + 1;
                        for (int s = 0; s < cnt; s++) {
                            row[s] = IndexerOps.score(qHat, kHat, w, t, s, ih, id);
                        }
                        int[] sel = new int[Math.min(cnt, maxSel)];
                        if (dense || cnt <= topk) {
                            for (int s = 0; s < cnt; s++) {
                                sel[s] = s;
                            }
                        } else {
                            IndexerOps.topK(row, cnt, topk, order, sel);
                        }
                        la.sel[t] = sel;
                        la.count[t] = sel.length;
                        for (int j = 0; j < sel.length; j++) {
                            score[t * maxSel + j] = row[sel[j]];
                        }
                    }
                });
            }

            /** The KL loss over the attended sets and, when training, the indexer's gradients. */
            void klLoss(boolean backward) {
                int maxSel = la.maxSel;
                int heads = cfg.numAttentionHeads();
                float[] dScore = new float[n * maxSel];
                for (int t = 0; t < n; t++) {
                    float[] sRow = Arrays.copyOfRange(score, t * maxSel, t * maxSel + la.count[t]);
                    float[] dRow = new float[la.count[t]];
                    aux += IndexerOps.klRow(la.p, n, heads, maxSel, t, la.count[t], sRow, dRow);
                    System.arraycopy(dRow, 0, dScore, t * maxSel, dRow.length);
                }
                if (!backward) {
                    return;
                }
                float[] dq = new float[n * ih * id];
                float[] dk = new float[n * id];
                float[] dw = new float[n * ih];
                for (int t = 0; t < n; t++) {
                    int[] sel = la.sel[t];
                    for (int j = 0; j < la.count[t]; j++) {
                        float g = dScore[t * maxSel + j];
                        if (g != 0f) {
                            IndexerOps.scoreBackward(qHat, kHat, w, t, sel[j], ih, id, g, dq, dk, dw);
                        }
                    }
                }
                VectorMath.scale(dw, 0, n * ih, headScale);
                Linear.backward(dw, la.xn, lp.iwp.value(), null, false, lp.iwp.grad(), n, ih, dim);
                for (int t = 0; t < n; t++) {
                    // straight-through quantisation: identity; Hadamard: symmetric; RoPE: inverse rotation
                    Hadamard.transform(dk, t * id, id, hadamard);
                    Rotary.halves(dk, t * id, t, half, cos, sin, true);
                    for (int hh = 0; hh < ih; hh++) {
                        int off = (t * ih + hh) * id;
                        Hadamard.transform(dq, off, id, hadamard);
                        Rotary.halves(dq, off, t, half, cos, sin, true);
                    }
                }
                Linear.backward(dq, la.qr, lp.iqB.value(), null, false, lp.iqB.grad(), n, ih * id, cfg.qLoraRank());
                float[] dkRaw = new float[n * id];
                Norm.layerBackward(
                        kRaw, dk, dkRaw, n, id, lp.ikNormW.value(), kMean, kInv, lp.ikNormW.grad(), lp.ikNormB.grad());
                Linear.backward(dkRaw, la.xn, lp.ik.value(), null, false, lp.ik.grad(), n, id, dim);
            }
        }

        // ------------------------------------------------------------ feed-forward

        private void ffnForward(int l, LayerActs la, float[] h) {
            LayerParams lp = layers[l];
            la.hMid = h.clone();
            la.xn2 = new float[n * dim];
            la.inv2 = new float[n];
            Norm.rmsForward(h, dim, la.xn2, dim, n, dim, lp.ffnNorm.value(), eps(), la.inv2);
            float[] y = new float[n * dim];
            if (lp.dense != null) {
                int inter = lp.dense[0].shape()[0];
                la.g = new float[n * inter];
                la.u = new float[n * inter];
                la.a = new float[n * inter];
                mlpForward(lp.dense, la.xn2, n, la.g, la.u, la.a, y, false);
                VectorMath.axpy(1f, y, 0, h, 0, n * dim);
                return;
            }
            int ne = cfg.nRoutedExperts();
            int k = cfg.numExpertsPerTok();
            la.routerLogits = new float[n * ne];
            Linear.forward(la.xn2, lp.router.value(), la.routerLogits, n, ne, dim);
            la.scores = new float[n * ne];
            la.weights = new float[n * k];
            int[] forcedLayer = forced == null ? null : forced.experts()[l];
            if (forced != null && (forcedLayer == null || forcedLayer.length != n * k)) {
                throw new IllegalArgumentException(
                        "forced routing for layer " + l + " does not cover " + n + " tokens x " + k + " experts");
            }
            la.chosen = forcedLayer == null ? new int[n * k] : forcedLayer.clone();
            float[] biased = new float[ne];
            float[] groupScore = new float[cfg.nGroup()];
            for (int t = 0; t < n; t++) {
                MoeOps.route(
                        router,
                        la.routerLogits,
                        t * ne,
                        lp.bias,
                        forcedLayer != null,
                        la.scores,
                        t * ne,
                        la.chosen,
                        la.weights,
                        t * k,
                        biased,
                        groupScore);
            }
            routed[l] = la.chosen.clone();
            if (train) {
                for (int c : la.chosen) {
                    lp.load[c]++;
                }
            }
            if (lp.shared != null) {
                int inter = lp.shared[0].shape()[0];
                la.sg = new float[n * inter];
                la.su = new float[n * inter];
                la.sa = new float[n * inter];
                mlpForward(lp.shared, la.xn2, n, la.sg, la.su, la.sa, y, false);
            }
            int[] counts = new int[ne];
            for (int c : la.chosen) {
                counts[c]++;
            }
            la.expertRows = new int[ne][];
            la.ex = new float[ne][];
            la.eg = new float[ne][];
            la.eu = new float[ne][];
            la.ea = new float[ne][];
            la.ey = new float[ne][];
            int inter = cfg.moeIntermediateSize();
            for (int e = 0; e < ne; e++) {
                int m = counts[e];
                if (m == 0) {
                    continue;
                }
                int[] rows = new int[m];
                int i = 0;
                for (int r = 0; r < n * k; r++) {
                    if (la.chosen[r] == e) {
                        rows[i++] = r;
                    }
                }
                float[] x = new float[m * dim];
                for (i = 0; i < m; i++) {
                    System.arraycopy(la.xn2, rows[i] / k * dim, x, i * dim, dim);
                }
                la.expertRows[e] = rows;
                la.ex[e] = x;
                la.eg[e] = new float[m * inter];
                la.eu[e] = new float[m * inter];
                la.ea[e] = new float[m * inter];
                la.ey[e] = new float[m * dim];
                mlpForward(lp.experts[e], x, m, la.eg[e], la.eu[e], la.ea[e], la.ey[e], false);
                for (i = 0; i < m; i++) {
                    VectorMath.axpy(la.weights[rows[i]], la.ey[e], i * dim, y, rows[i] / k * dim, dim);
                }
            }
            VectorMath.axpy(1f, y, 0, h, 0, n * dim);
        }

        private void mlpForward(
                Parameter[] w, float[] x, int rows, float[] g, float[] u, float[] a, float[] y, boolean accumulate) {
            int inter = w[0].shape()[0];
            Linear.forward(x, w[0].value(), g, rows, inter, dim);
            Linear.forward(x, w[1].value(), u, rows, inter, dim);
            MoeOps.swiglu(g, u, a, rows * inter);
            float[] out = accumulate ? new float[rows * dim] : y;
            Linear.forward(a, w[2].value(), out, rows, dim, inter);
            if (accumulate) {
                VectorMath.axpy(1f, out, 0, y, 0, rows * dim);
            }
        }

        /** Adds the MLP's input gradient to {@code dx} and its weight gradients, given {@code dy}. */
        private void mlpBackward(
                Parameter[] w, float[] x, int rows, float[] g, float[] u, float[] a, float[] dy, float[] dx) {
            int inter = w[0].shape()[0];
            float[] da = new float[rows * inter];
            Linear.backward(dy, a, w[2].value(), da, false, w[2].grad(), rows, dim, inter);
            float[] dg = new float[rows * inter];
            float[] du = new float[rows * inter];
            MoeOps.swigluBackward(g, u, da, dg, du, rows * inter);
            Linear.backward(dg, x, w[0].value(), dx, true, w[0].grad(), rows, inter, dim);
            Linear.backward(du, x, w[1].value(), dx, true, w[1].grad(), rows, inter, dim);
        }

        private void ffnBackward(int l, LayerActs la, float[] dh) {
            LayerParams lp = layers[l];
            float[] dxn = new float[n * dim];
            if (lp.dense != null) {
                mlpBackward(lp.dense, la.xn2, n, la.g, la.u, la.a, dh, dxn);
            } else {
                int ne = cfg.nRoutedExperts();
                int k = cfg.numExpertsPerTok();
                if (lp.shared != null) {
                    mlpBackward(lp.shared, la.xn2, n, la.sg, la.su, la.sa, dh, dxn);
                }
                float[] dWeights = new float[n * k];
                for (int e = 0; e < ne; e++) {
                    int[] rows = la.expertRows[e];
                    if (rows == null) {
                        continue;
                    }
                    int m = rows.length;
                    float[] dy = new float[m * dim];
                    for (int i = 0; i < m; i++) {
                        int t = rows[i] / k;
                        dWeights[rows[i]] = VectorMath.dot(dh, t * dim, la.ey[e], i * dim, dim);
                        VectorMath.axpy(la.weights[rows[i]], dh, t * dim, dy, i * dim, dim);
                    }
                    float[] dx = new float[m * dim];
                    mlpBackward(lp.experts[e], la.ex[e], m, la.eg[e], la.eu[e], la.ea[e], dy, dx);
                    for (int i = 0; i < m; i++) {
                        VectorMath.axpy(1f, dx, i * dim, dxn, rows[i] / k * dim, dim);
                    }
                }
                float[] dLogits = new float[n * ne];
                for (int t = 0; t < n; t++) {
                    MoeOps.routeBackward(router, la.scores, t * ne, la.chosen, t * k, dWeights, dLogits, t * ne);
                }
                Linear.backward(dLogits, la.xn2, lp.router.value(), dxn, true, lp.router.grad(), n, ne, dim);
            }
            Norm.rmsBackward(la.hMid, dim, dxn, dim, dh, dim, n, dim, lp.ffnNorm.value(), la.inv2, lp.ffnNorm.grad());
        }
    }
}
