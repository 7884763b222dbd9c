package io.thinkloop.train.model;

import io.thinkloop.engine.checkpoint.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of a configuration in their fixed order (the order of {@code parameters()}, of
 * optimizer state and of written checkpoints), named and shaped as the engine's loader expects.
 */
final class ParameterLayout {
    static final String EMBED = "model.embed_tokens.weight";
    static final String HEAD = "lm_head.weight";
    static final String FINAL_NORM = "model.norm.weight";

    /** How a fresh model initialises a tensor. */
    enum Init {
        LINEAR,
        EMBED,
        ONES,
        ZEROS
    }

    record Spec(String name, int[] shape, Init init) {}

    private ParameterLayout() {}

    static String biasName(int layer) {
        return "model.layers." + layer + ".mlp.gate.e_score_correction_bias";
    }

    static boolean isMoe(ModelConfig c, int layer) {
        return layer >= c.firstKDenseReplace();
    }

    /** Every parameter; {@code withHead} false leaves out the head (tied to the embedding). */
    static List<Spec> specs(ModelConfig c, boolean withHead) {
        List<Spec> out = new ArrayList<>();
        int dim = c.hiddenSize();
        int h = c.numAttentionHeads();
        out.add(new Spec(EMBED, new int[] {c.vocabSize(), dim}, Init.EMBED));
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            out.add(vec(p + "input_layernorm.weight", dim, Init.ONES));
            out.add(mat(a + "q_a_proj.weight", c.qLoraRank(), dim));
            out.add(vec(a + "q_a_layernorm.weight", c.qLoraRank(), Init.ONES));
            out.add(mat(a + "q_b_proj.weight", h * c.qkHeadDim(), c.qLoraRank()));
            out.add(mat(a + "kv_a_proj_with_mqa.weight", c.kvLoraRank() + c.qkRopeHeadDim(), dim));
            out.add(vec(a + "kv_a_layernorm.weight", c.kvLoraRank(), Init.ONES));
            out.add(mat(a + "kv_b_proj.weight", h * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank()));
            out.add(mat(a + "o_proj.weight", dim, h * c.vHeadDim()));
            out.add(mat(a + "indexer.wq_b.weight", c.indexNHeads() * c.indexHeadDim(), c.qLoraRank()));
            out.add(mat(a + "indexer.wk.weight", c.indexHeadDim(), dim));
            out.add(vec(a + "indexer.k_norm.weight", c.indexHeadDim(), Init.ONES));
            out.add(vec(a + "indexer.k_norm.bias", c.indexHeadDim(), Init.ZEROS));
            out.add(mat(a + "indexer.weights_proj.weight", c.indexNHeads(), dim));
            out.add(vec(p + "post_attention_layernorm.weight", dim, Init.ONES));
            if (!isMoe(c, l)) {
                mlp(out, p + "mlp.", dim, c.intermediateSize());
            } else {
                out.add(mat(p + "mlp.gate.weight", c.nRoutedExperts(), dim));
                for (int e = 0; e < c.nRoutedExperts(); e++) {
                    mlp(out, p + "mlp.experts." + e + ".", dim, c.moeIntermediateSize());
                }
                if (c.nSharedExperts() > 0) {
                    mlp(out, p + "mlp.shared_experts.", dim, c.nSharedExperts() * c.moeIntermediateSize());
                }
            }
        }
        out.add(vec(FINAL_NORM, dim, Init.ONES));
        if (withHead) {
            out.add(mat(HEAD, c.vocabSize(), dim));
        }
        return out;
    }

    private static void mlp(List<Spec> out, String p, int dim, int inter) {
        out.add(mat(p + "gate_proj.weight", inter, dim));
        out.add(mat(p + "up_proj.weight", inter, dim));
        out.add(mat(p + "down_proj.weight", dim, inter));
    }

    private static Spec mat(String name, int rows, int cols) {
        return new Spec(name, new int[] {rows, cols}, Init.LINEAR);
    }

    private static Spec vec(String name, int n, Init init) {
        return new Spec(name, new int[] {n}, init);
    }
}
