package io.thinkloop.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.engine.checkpoint.CheckpointException;
import io.thinkloop.engine.checkpoint.DType;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import io.thinkloop.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint loading: clear errors for broken checkpoints, sharded layout, the synthetic writer. */
class CheckpointTest {
    @TempDir
    Path tmp;

    /** Copies the tiny sparse checkpoint with its safetensors header edited by {@code edit}. */
    Path withHeader(Consumer<ObjectNode> edit) throws IOException {
        Path src = GoldenTest.tiny("sparse");
        Path dir = Files.createDirectories(tmp.resolve("ck"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        byte[] all = Files.readAllBytes(src.resolve("model.safetensors"));
        long hl = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) Json.MAPPER.readTree(new String(all, 8, (int) hl, StandardCharsets.UTF_8));
        edit.accept(header);
        byte[] hb = Json.MAPPER.writeValueAsBytes(header);
        ByteBuffer out =
                ByteBuffer.allocate(8 + hb.length + all.length - 8 - (int) hl).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(hb.length).put(hb).put(all, 8 + (int) hl, all.length - 8 - (int) hl);
        Files.write(dir.resolve("model.safetensors"), out.array());
        return dir;
    }

    String loadError(Path dir) {
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> Model.load(dir, 1).close());
        return e.getMessage();
    }

    @Test
    void unchangedCopyLoads() throws IOException {
        Model.load(withHeader(h -> {}), 1).close();
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        String m = loadError(withHeader(h -> h.remove("model.layers.1.self_attn.indexer.wk.weight")));
        assertTrue(m.contains("lacks tensor model.layers.1.self_attn.indexer.wk.weight"), m);
    }

    @Test
    void extraTensorIsNamed() throws IOException {
        String m = loadError(withHeader(h -> h.set(
                "model.layers.0.mystery.weight", h.get("model.norm.weight").deepCopy())));
        assertTrue(m.contains("unexpected tensor: model.layers.0.mystery.weight"), m);
    }

    @Test
    void misshapedTensorIsNamed() throws IOException {
        String m = loadError(withHeader(h -> {
            ObjectNode t = (ObjectNode) h.get("model.layers.2.self_attn.q_a_proj.weight");
            t.putArray("shape").add(64).add(32);
        }));
        assertTrue(
                m.contains("tensor model.layers.2.self_attn.q_a_proj.weight has shape [64, 32], expected [32, 64]"), m);
    }

    @Test
    void offsetsBeyondTheFileAreNamed() throws IOException {
        String m = loadError(withHeader(h -> {
            ObjectNode t = (ObjectNode) h.get("lm_head.weight");
            t.putArray("data_offsets").add(0).add(999_999_999L);
        }));
        assertTrue(m.contains("lm_head.weight"), m);
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        String m = loadError(withHeader(h -> ((ObjectNode) h.get("model.norm.weight")).put("dtype", "I32")));
        assertTrue(m.contains("model.norm.weight") && m.contains("I32"), m);
    }

    @Test
    void wrongModelTypeAndMissingFilesAreReported() throws IOException {
        Path dir = withHeader(h -> {});
        String cfg = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"deepseek_v32\"", "\"llama\""));
        assertTrue(loadError(dir).contains("model_type is 'llama'"));
        assertTrue(loadError(tmp.resolve("nowhere")).contains("does not exist"));
        Files.writeString(dir.resolve("config.json"), cfg);
        Files.delete(dir.resolve("model.safetensors"));
        assertTrue(loadError(dir).contains("neither model.safetensors"));
    }

    @Test
    void shardedCheckpointMatchesSingleFile() throws IOException {
        // Split the tiny checkpoint into two shards with an index, then compare logits.
        Path src = GoldenTest.tiny("sparse");
        byte[] all = Files.readAllBytes(src.resolve("model.safetensors"));
        long hl = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = Json.MAPPER.readTree(new String(all, 8, (int) hl, StandardCharsets.UTF_8));
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        ObjectNode[] shardHeaders = {Json.MAPPER.createObjectNode(), Json.MAPPER.createObjectNode()};
        ByteArrayOutputStream[] data = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        ObjectNode index = Json.MAPPER.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (var it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            int s = i++ % 2;
            long b = e.getValue().get("data_offsets").get(0).asLong();
            long en = e.getValue().get("data_offsets").get(1).asLong();
            ObjectNode t = e.getValue().deepCopy();
            t.putArray("data_offsets").add(data[s].size()).add(data[s].size() + en - b);
            data[s].write(all, (int) (8 + hl + b), (int) (en - b));
            shardHeaders[s].set(e.getKey(), t);
            map.put(e.getKey(), "model-0000" + (s + 1) + "-of-00002.safetensors");
        }
        for (int s = 0; s < 2; s++) {
            byte[] hb = Json.MAPPER.writeValueAsBytes(shardHeaders[s]);
            ByteBuffer out = ByteBuffer.allocate(8 + hb.length + data[s].size()).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(hb.length).put(hb).put(data[s].toByteArray());
            Files.write(dir.resolve("model-0000" + (s + 1) + "-of-00002.safetensors"), out.array());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        int[] prompt = {5, 9, 300, 17, 44, 2, 8, 99, 100, 101, 7};
        float[] a;
        float[] b;
        try (Model single = Model.load(src, 1);
                Model sharded = Model.load(dir, 1)) {
            a = single.prefill(single.newState(16), prompt).clone();
            b = sharded.prefill(sharded.newState(16), prompt).clone();
        }
        // Same weights, same arithmetic; only the lane order of vector reductions may differ between
        // interpreted and JIT-compiled kernels, hence a tolerance instead of bit equality.
        assertTrue(ConsistencyTest.maxDiff(a, b) < 1e-5, "diff " + ConsistencyTest.maxDiff(a, b));
        // A shard the index names but that is missing is reported by name.
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertTrue(loadError(dir).contains("model-00002-of-00002.safetensors"));
    }

    @Test
    void syntheticWriterIsDeterministicAndLoadsInEveryDtype() throws IOException {
        ModelConfig c = ModelConfig.read(GoldenTest.tiny("sparse").resolve("config.json"));
        float[][] logits = new float[3][];
        DType[] types = {DType.F32, DType.BF16, DType.F8_E4M3};
        for (int i = 0; i < types.length; i++) {
            Path d = tmp.resolve("syn-" + types[i]);
            SyntheticCheckpoint.write(d, c, 42, types[i]);
            try (Model m = Model.load(d, 2)) {
                logits[i] = m.prefill(m.newState(32), new int[] {3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
                        .clone();
            }
            for (float v : logits[i]) {
                assertTrue(Float.isFinite(v));
            }
        }
        Path again = tmp.resolve("again");
        SyntheticCheckpoint.write(again, c, 42, DType.F8_E4M3);
        assertArrayEquals(
                Files.readAllBytes(tmp.resolve("syn-F8_E4M3/model.safetensors")),
                Files.readAllBytes(again.resolve("model.safetensors")));
        SyntheticCheckpoint.write(tmp.resolve("other"), c, 43, DType.F8_E4M3);
        assertTrue(!Arrays.equals(
                Files.readAllBytes(again.resolve("model.safetensors")),
                Files.readAllBytes(tmp.resolve("other/model.safetensors"))));
        // BF16 and FP8 are roundings of the same F32 weights: the logits stay close.
        assertTrue(
                ConsistencyTest.maxDiff(logits[0], logits[1]) < 0.1,
                "bf16 " + ConsistencyTest.maxDiff(logits[0], logits[1]));
        assertTrue(
                ConsistencyTest.maxDiff(logits[0], logits[2]) < 0.5,
                "fp8 " + ConsistencyTest.maxDiff(logits[0], logits[2]));
        assertEquals(
                "deepseek_v32",
                Json.MAPPER
                        .readTree(tmp.resolve("syn-F32/config.json").toFile())
                        .get("model_type")
                        .asText());
    }
}
