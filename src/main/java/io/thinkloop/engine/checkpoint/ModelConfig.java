package io.thinkloop.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of a Hugging Face {@code config.json} with {@code model_type: deepseek_v32} that the
 * forward pass needs. {@code yarn} is null when RoPE is not YaRN-scaled; {@code fp8Block} is the
 * weight block size of FP8 checkpoints (128 when the config does not say).
 */
public record ModelConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int moeIntermediateSize,
        int numHiddenLayers,
        int firstKDenseReplace,
        int numAttentionHeads,
        int nRoutedExperts,
        int nSharedExperts,
        int numExpertsPerTok,
        int nGroup,
        int topkGroup,
        double routedScalingFactor,
        String scoringFunc,
        boolean normTopkProb,
        int qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        double ropeTheta,
        Yarn yarn,
        int maxPositionEmbeddings,
        double rmsNormEps,
        int indexNHeads,
        int indexHeadDim,
        int indexTopk,
        int numNextnPredictLayers,
        boolean tieWordEmbeddings,
        int fp8BlockRows,
        int fp8BlockCols) {

    /** YaRN RoPE scaling parameters. */
    public record Yarn(
            double factor,
            int originalMaxPositionEmbeddings,
            double betaFast,
            double betaSlow,
            double mscale,
            double mscaleAllDim) {}

    public int qkHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** Whether YaRN frequency correction and the attention mscale apply (as the reference decides). */
    public boolean yarnActive() {
        return yarn != null && maxPositionEmbeddings > yarn.originalMaxPositionEmbeddings();
    }

    /** The attention softmax scale: qk_head_dim^-0.5, times mscale^2 under YaRN. */
    public float softmaxScale() {
        double s = 1.0 / Math.sqrt(qkHeadDim());
        if (yarnActive() && yarn.factor() > 1) {
            double m = 0.1 * yarn.mscaleAllDim() * Math.log(yarn.factor()) + 1.0;
            s = s * m * m;
        }
        return (float) s;
    }

    public static ModelConfig read(Path configJson) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
        return parse(n, configJson.toString());
    }

    public static ModelConfig parse(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new CheckpointException(where + ": not a JSON object");
        }
        String type = n.path("model_type").asText("");
        if (!type.equals("deepseek_v32")) {
            throw new CheckpointException(where + ": model_type is '" + type + "', expected 'deepseek_v32'");
        }
        Yarn yarn = null;
        JsonNode rs = n.get("rope_scaling");
        if (rs != null && rs.isObject()) {
            String t = rs.has("type")
                    ? rs.get("type").asText()
                    : rs.path("rope_type").asText("");
            if (!t.equals("yarn")) {
                throw new CheckpointException(where + ": rope_scaling type '" + t + "' is not supported (only yarn)");
            }
            double mscale = rs.path("mscale").asDouble(1.0);
            yarn = new Yarn(
                    req(rs, "factor", where).asDouble(),
                    req(rs, "original_max_position_embeddings", where).asInt(),
                    rs.path("beta_fast").asDouble(32),
                    rs.path("beta_slow").asDouble(1),
                    mscale,
                    rs.path("mscale_all_dim").asDouble(mscale));
        }
        int blockRows = 128;
        int blockCols = 128;
        JsonNode q = n.get("quantization_config");
        if (q != null && q.has("weight_block_size")) {
            blockRows = q.get("weight_block_size").get(0).asInt();
            blockCols = q.get("weight_block_size").get(1).asInt();
        }
        if (!n.has("q_lora_rank") || n.get("q_lora_rank").isNull()) {
            throw new CheckpointException(where + ": q_lora_rank is required (the indexer reads the query latent)");
        }
        ModelConfig c = new ModelConfig(
                reqInt(n, "vocab_size", where),
                reqInt(n, "hidden_size", where),
                reqInt(n, "intermediate_size", where),
                reqInt(n, "moe_intermediate_size", where),
                reqInt(n, "num_hidden_layers", where),
                n.path("first_k_dense_replace").asInt(0),
                reqInt(n, "num_attention_heads", where),
                reqInt(n, "n_routed_experts", where),
                n.path("n_shared_experts").asInt(0),
                reqInt(n, "num_experts_per_tok", where),
                n.path("n_group").asInt(1),
                n.path("topk_group").asInt(1),
                n.path("routed_scaling_factor").asDouble(1.0),
                n.path("scoring_func").asText("sigmoid"),
                n.path("norm_topk_prob").asBoolean(true),
                reqInt(n, "q_lora_rank", where),
                reqInt(n, "kv_lora_rank", where),
                reqInt(n, "qk_nope_head_dim", where),
                reqInt(n, "qk_rope_head_dim", where),
                reqInt(n, "v_head_dim", where),
                n.path("rope_theta").asDouble(10000.0),
                yarn,
                reqInt(n, "max_position_embeddings", where),
                n.path("rms_norm_eps").asDouble(1e-6),
                reqInt(n, "index_n_heads", where),
                reqInt(n, "index_head_dim", where),
                reqInt(n, "index_topk", where),
                n.path("num_nextn_predict_layers").asInt(0),
                n.path("tie_word_embeddings").asBoolean(false),
                blockRows,
                blockCols);
        c.validate(where);
        return c;
    }

    private void validate(String where) {
        if (!scoringFunc.equals("sigmoid") && !scoringFunc.equals("softmax")) {
            throw new CheckpointException(where + ": scoring_func '" + scoringFunc + "' is not supported");
        }
        if (qkRopeHeadDim % 2 != 0 || qkRopeHeadDim > indexHeadDim) {
            throw new CheckpointException(where + ": qk_rope_head_dim must be even and <= index_head_dim");
        }
        if (Integer.bitCount(indexHeadDim) != 1 || indexHeadDim % 128 != 0) {
            throw new CheckpointException(
                    where + ": index_head_dim must be a power of two multiple of 128 (Hadamard, FP8 blocks)");
        }
        if (nGroup < 1 || nRoutedExperts % nGroup != 0 || topkGroup > nGroup) {
            throw new CheckpointException(where + ": n_group/topk_group do not divide the experts");
        }
        if (numExpertsPerTok > nRoutedExperts) {
            throw new CheckpointException(where + ": num_experts_per_tok > n_routed_experts");
        }
    }

    /** This configuration as {@code config.json} content (used by the synthetic writer). */
    public ObjectNode toJson(boolean fp8) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putArray("architectures").add("DeepseekV32ForCausalLM");
        n.put("model_type", "deepseek_v32");
        n.put("vocab_size", vocabSize)
                .put("hidden_size", hiddenSize)
                .put("intermediate_size", intermediateSize)
                .put("moe_intermediate_size", moeIntermediateSize)
                .put("num_hidden_layers", numHiddenLayers)
                .put("first_k_dense_replace", firstKDenseReplace)
                .put("num_attention_heads", numAttentionHeads)
                .put("num_key_value_heads", numAttentionHeads)
                .put("n_routed_experts", nRoutedExperts)
                .put("n_shared_experts", nSharedExperts)
                .put("num_experts_per_tok", numExpertsPerTok)
                .put("n_group", nGroup)
                .put("topk_group", topkGroup)
                .put("routed_scaling_factor", routedScalingFactor)
                .put("scoring_func", scoringFunc)
                .put("topk_method", "noaux_tc")
                .put("norm_topk_prob", normTopkProb)
                .put("q_lora_rank", qLoraRank)
                .put("kv_lora_rank", kvLoraRank)
                .put("qk_nope_head_dim", qkNopeHeadDim)
                .put("qk_rope_head_dim", qkRopeHeadDim)
                .put("v_head_dim", vHeadDim)
                .put("rope_theta", ropeTheta);
        if (yarn != null) {
            n.putObject("rope_scaling")
                    .put("type", "yarn")
                    .put("factor", yarn.factor())
                    .put("original_max_position_embeddings", yarn.originalMaxPositionEmbeddings())
                    .put("beta_fast", yarn.betaFast())
                    .put("beta_slow", yarn.betaSlow())
                    .put("mscale", yarn.mscale())
                    .put("mscale_all_dim", yarn.mscaleAllDim());
        }
        n.put("max_position_embeddings", maxPositionEmbeddings)
                .put("rms_norm_eps", rmsNormEps)
                .put("index_n_heads", indexNHeads)
                .put("index_head_dim", indexHeadDim)
                .put("index_topk", indexTopk)
                .put("num_nextn_predict_layers", 0)
                .put("bos_token_id", 0)
                .put("eos_token_id", 1)
                .put("tie_word_embeddings", false)
                .put("hidden_act", "silu");
        if (fp8) {
            ObjectNode q = n.putObject("quantization_config");
            q.put("quant_method", "fp8").put("fmt", "e4m3").put("activation_scheme", "dynamic");
            q.putArray("weight_block_size").add(fp8BlockRows).add(fp8BlockCols);
            q.put("scale_fmt", "ue8m0");
        }
        return n;
    }

    private static JsonNode req(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new CheckpointException(where + ": missing field '" + field + "'");
        }
        return v;
    }

    private static int reqInt(JsonNode n, String field, String where) {
        JsonNode v = req(n, field, where);
        if (!v.canConvertToInt()) {
            throw new CheckpointException(where + ": field '" + field + "' must be an integer");
        }
        return v.asInt();
    }
}
