package io.thinkloop.train;

import io.thinkloop.engine.checkpoint.ModelConfig;

/**
 * What a configuration costs, computed from its shapes: trainable parameters (the correction-bias buffers and
 * FP8 scales excluded), the share in embedding and output head, the weights one token touches (k of the routed
 * experts), and forward FLOPs per token. {@code forwardFlopsPerToken} counts the linear layers (2 FLOPs per
 * active weight, output head included, embedding lookup free); attention's scores and weighted sums grow with
 * the context and are given apart by {@link #attentionFlopsPerToken}. Forward+backward is about 3x forward.
 */
public record ModelCost(
        long parameters, long embeddingAndHead, long activeMatmulWeights, long headWeights, ModelConfig config) {

    public static ModelCost of(ModelConfig c) {
        long d = c.hiddenSize();
        long h = c.numAttentionHeads();
        long attnMatmul = c.qLoraRank() * d
                + h * c.qkHeadDim() * c.qLoraRank()
                + (c.kvLoraRank() + c.qkRopeHeadDim()) * d
                + h * (c.qkNopeHeadDim() + c.vHeadDim()) * c.kvLoraRank()
                + d * h * c.vHeadDim()
                + (long) c.indexNHeads() * c.indexHeadDim() * c.qLoraRank()
                + (long) c.indexHeadDim() * d
                + c.indexNHeads() * d;
        long attnVectors = d + c.qLoraRank() + c.kvLoraRank() + 2L * c.indexHeadDim() + d; // norms, k_norm bias
        long dense = 3 * d * c.intermediateSize();
        long expert = 3 * d * c.moeIntermediateSize();
        long shared = c.nSharedExperts() * expert;
        long gate = c.nRoutedExperts() * d;
        long total = 0;
        long active = 0;
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            total += attnMatmul + attnVectors;
            active += attnMatmul;
            if (l < c.firstKDenseReplace()) {
                total += dense;
                active += dense;
            } else {
                total += c.nRoutedExperts() * expert + shared + gate;
                active += c.numExpertsPerTok() * expert + shared + gate;
            }
        }
        long embed = (long) c.vocabSize() * d;
        long head = c.tieWordEmbeddings() ? 0 : embed;
        total += embed + head + d; // final norm
        active += embed; // the head's product (tied or not)
        return new ModelCost(total, embed + head, active, embed, c);
    }

    /** Linear-layer FLOPs of one token's forward pass. */
    public double forwardFlopsPerToken() {
        return 2.0 * activeMatmulWeights;
    }

    /** The output head's share of {@link #forwardFlopsPerToken}. */
    public double headShare() {
        return (double) headWeights / activeMatmulWeights;
    }

    /**
     * Attention FLOPs per token averaged over a sequence of {@code seqLen} positions (MHA form, as in training):
     * per head q·k over {@code qk_head_dim} and p·v over {@code v_head_dim} for each attended key (at most
     * {@code index_topk} under DSA), plus the indexer's scores over every earlier position.
     */
    public double attentionFlopsPerToken(int seqLen) {
        ModelConfig c = config;
        double main = 0;
        double indexer = 0;
        for (int t = 0; t < seqLen; t++) {
            int keys = Math.min(t + 1, c.indexTopk());
            main += 2.0 * c.numAttentionHeads() * (c.qkHeadDim() + c.vHeadDim()) * keys;
            indexer += 2.0 * c.indexNHeads() * c.indexHeadDim() * (t + 1);
        }
        return c.numHiddenLayers() * (main + indexer) / seqLen;
    }
}
