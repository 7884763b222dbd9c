package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reference gradients for one checkpoint, as {@code src/test/python/make_reference_gradients.py}
 * writes them with PyTorch autograd: {@code reference.json} (the token sequence, its loss weights and
 * each stage's losses) and one {@code STAGE.safetensors} per stage holding, as F32, the gradient of
 * every parameter that stage trains (named as the checkpoint tensor). Kept independent of the model
 * so that the check compares whatever {@link Trainable} it is given.
 */
public record GradientReference(
        int[] tokens, float[] lossWeight, Map<String, StageReference> stages, String generator) {

    /** One stage's reference: its losses (null where the stage does not define one) and gradients. */
    public record StageReference(Double lmLossSum, Double auxLoss, Map<String, Tensor> gradients) {}

    /** A named float32 tensor. */
    public record Tensor(int[] shape, float[] values) {}

    /** Reads DIR/reference.json and DIR/{stage}.safetensors for each stage it lists. */
    public static GradientReference read(Path dir) {
        Path json = dir.resolve("reference.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("no reference gradients at " + json);
        }
        try {
            JsonNode root = Json.MAPPER.readTree(Files.readString(json));
            JsonNode tok = root.path("tokens");
            JsonNode lw = root.path("loss_weight");
            if (!tok.isArray() || !lw.isArray() || lw.size() != tok.size() - 1) {
                throw new IllegalArgumentException(json + ": needs tokens and loss_weight (one fewer)");
            }
            int[] tokens = new int[tok.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = tok.get(i).asInt();
            }
            float[] weights = new float[lw.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) lw.get(i).asDouble();
            }
            Map<String, StageReference> stages = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.path("stages").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode s = e.getValue();
                Double lm = s.has("lm_loss_sum") ? s.get("lm_loss_sum").asDouble() : null;
                Double aux = s.has("aux_loss") ? s.get("aux_loss").asDouble() : null;
                Path file = dir.resolve(e.getKey() + ".safetensors");
                stages.put(e.getKey(), new StageReference(lm, aux, readSafetensors(file)));
            }
            if (stages.isEmpty()) {
                throw new IllegalArgumentException(json + ": no stages");
            }
            String generator = "torch " + root.path("torch").asText("?");
            return new GradientReference(tokens, weights, stages, generator);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An F32-only safetensors file: 8-byte little-endian header length, JSON header, raw data. */
    static Map<String, Tensor> readSafetensors(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("missing " + file);
        }
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen < 2 || 8 + headerLen > all.length) {
            throw new IllegalArgumentException(file + ": not a safetensors file");
        }
        JsonNode header = Json.MAPPER.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        int base = 8 + (int) headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = header.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode meta = e.getValue();
            if (!meta.path("dtype").asText().equals("F32")) {
                throw new IllegalArgumentException(file + ": " + e.getKey() + " is not F32");
            }
            JsonNode sh = meta.path("shape");
            int[] shape = new int[sh.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asInt();
                n *= shape[i];
            }
            long a = meta.path("data_offsets").get(0).asLong();
            long b = meta.path("data_offsets").get(1).asLong();
            if (b - a != n * 4 || base + b > all.length) {
                throw new IllegalArgumentException(file + ": " + e.getKey() + " has bad offsets");
            }
            float[] v = new float[(int) n];
            buf.position(base + (int) a);
            buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.put(e.getKey(), new Tensor(shape, v));
        }
        return out;
    }
}
