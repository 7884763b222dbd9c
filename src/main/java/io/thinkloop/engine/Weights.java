package io.thinkloop.engine;

import io.thinkloop.engine.checkpoint.Checkpoint;
import io.thinkloop.engine.checkpoint.CheckpointException;
import io.thinkloop.engine.checkpoint.DType;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.TensorRef;
import io.thinkloop.engine.kernel.Bf16Matrix;
import io.thinkloop.engine.kernel.F32Matrix;
import io.thinkloop.engine.kernel.Fp8Matrix;
import io.thinkloop.engine.kernel.Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The model's weights by role, bound by name and shape from a checkpoint. */
final class Weights {
    record Mlp(Matrix gate, Matrix up, Matrix down) {
        long bytes() {
            return gate.bytes() + up.bytes() + down.bytes();
        }
    }

    record Moe(Matrix router, float[] bias, Mlp[] experts, Mlp shared) {}

    record Indexer(Matrix wqB, Matrix wk, float[] kNormWeight, float[] kNormBias, Matrix weightsProj) {}

    record Layer(
            float[] attnNorm,
            Matrix qA,
            float[] qANorm,
            Matrix qB,
            Matrix kvA,
            float[] kvANorm,
            Matrix kvB,
            Matrix o,
            Indexer indexer,
            float[] ffnNorm,
            Mlp dense,
            Moe moe) {}

    final Matrix embed;
    final Matrix lmHead;
    final float[] finalNorm;
    final Layer[] layers;

    Weights(Checkpoint ck) {
        ModelConfig c = ck.config();
        int dim = c.hiddenSize();
        embed = matrix(ck, "model.embed_tokens.weight", c.vocabSize(), dim);
        lmHead = c.tieWordEmbeddings() && !ck.has("lm_head.weight")
                ? embed
                : matrix(ck, "lm_head.weight", c.vocabSize(), dim);
        finalNorm = vector(ck, "model.norm.weight", dim);
        layers = new Layer[c.numHiddenLayers()];
        int h = c.numAttentionHeads();
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            Indexer idx = new Indexer(
                    matrix(ck, a + "indexer.wq_b.weight", c.indexNHeads() * c.indexHeadDim(), c.qLoraRank()),
                    matrix(ck, a + "indexer.wk.weight", c.indexHeadDim(), dim),
                    vector(ck, a + "indexer.k_norm.weight", c.indexHeadDim()),
                    vector(ck, a + "indexer.k_norm.bias", c.indexHeadDim()),
                    matrix(ck, a + "indexer.weights_proj.weight", c.indexNHeads(), dim));
            Mlp dense = null;
            Moe moe = null;
            if (l < c.firstKDenseReplace()) {
                dense = mlp(ck, p + "mlp.", dim, c.intermediateSize());
            } else {
                Mlp[] experts = new Mlp[c.nRoutedExperts()];
                for (int e = 0; e < experts.length; e++) {
                    experts[e] = mlp(ck, p + "mlp.experts." + e + ".", dim, c.moeIntermediateSize());
                }
                float[] bias = ck.has(p + "mlp.gate.e_score_correction_bias")
                        ? vector(ck, p + "mlp.gate.e_score_correction_bias", c.nRoutedExperts())
                        : null;
                Mlp shared = c.nSharedExperts() > 0
                        ? mlp(ck, p + "mlp.shared_experts.", dim, c.nSharedExperts() * c.moeIntermediateSize())
                        : null;
                moe = new Moe(matrix(ck, p + "mlp.gate.weight", c.nRoutedExperts(), dim), bias, experts, shared);
            }
            layers[l] = new Layer(
                    vector(ck, p + "input_layernorm.weight", dim),
                    matrix(ck, a + "q_a_proj.weight", c.qLoraRank(), dim),
                    vector(ck, a + "q_a_layernorm.weight", c.qLoraRank()),
                    matrix(ck, a + "q_b_proj.weight", h * c.qkHeadDim(), c.qLoraRank()),
                    matrix(ck, a + "kv_a_proj_with_mqa.weight", c.kvLoraRank() + c.qkRopeHeadDim(), dim),
                    vector(ck, a + "kv_a_layernorm.weight", c.kvLoraRank()),
                    matrix(ck, a + "kv_b_proj.weight", h * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank()),
                    matrix(ck, a + "o_proj.weight", dim, h * c.vHeadDim()),
                    idx,
                    vector(ck, p + "post_attention_layernorm.weight", dim),
                    dense,
                    moe);
        }
        ck.requireAllTaken();
    }

    private static Mlp mlp(Checkpoint ck, String p, int dim, int inter) {
        return new Mlp(
                matrix(ck, p + "gate_proj.weight", inter, dim),
                matrix(ck, p + "up_proj.weight", inter, dim),
                matrix(ck, p + "down_proj.weight", dim, inter));
    }

    static Matrix matrix(Checkpoint ck, String name, int rows, int cols) {
        TensorRef t = ck.take(name, rows, cols);
        return switch (t.dtype()) {
            case F32 -> new F32Matrix(t.data(), rows, cols);
            case BF16 -> new Bf16Matrix(t.data(), rows, cols);
            case F8_E4M3 -> {
                ModelConfig c = ck.config();
                int br = c.fp8BlockRows();
                int bc = c.fp8BlockCols();
                TensorRef s = ck.take(name + "_scale_inv", (rows + br - 1) / br, (cols + bc - 1) / bc);
                if (s.dtype() != DType.F32) {
                    throw new CheckpointException("tensor " + s.name() + " has dtype " + s.dtype() + ", expected F32");
                }
                yield new Fp8Matrix(t.data(), rows, cols, floats(s), br, bc);
            }
        };
    }

    static float[] vector(Checkpoint ck, String name, int n) {
        TensorRef t = ck.take(name, n);
        if (t.dtype() == DType.F8_E4M3) {
            throw new CheckpointException("tensor " + name + " is F8_E4M3; norms and biases must be F32 or BF16");
        }
        return floats(t);
    }

    private static float[] floats(TensorRef t) {
        int n = Math.toIntExact(t.elements());
        float[] out = new float[n];
        if (t.dtype() == DType.F32) {
            MemorySegment.copy(
                    t.data(), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = Float.intBitsToFloat(
                        t.data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i)
                                << 16);
            }
        }
        return out;
    }
}
