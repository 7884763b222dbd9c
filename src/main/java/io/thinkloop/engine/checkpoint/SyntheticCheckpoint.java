package io.thinkloop.engine.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a deterministic DeepSeek-V3.2-architecture checkpoint with random weights: the same
 * config, seed and dtype always give the same bytes. Each tensor draws from its own generator
 * (seeded from the seed and the tensor's name), so files are streamed tensor by tensor without
 * holding them in memory. Linear weights have variance 1/fan-in, so activations stay in range;
 * in FP8 checkpoints they are quantized per 128x128 block with power-of-two scales, while the
 * embedding and head are BF16, as in the published checkpoints.
 */
public final class SyntheticCheckpoint {
    private record Spec(String name, DType dtype, long[] shape, Kind kind) {
        long bytes() {
            long n = dtype.size();
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private enum Kind {
        LINEAR,
        EMBED,
        ONES,
        SMALL,
        SCALE_OF
    }

    private SyntheticCheckpoint() {}

    /** A small DeepSeek-V3.2 configuration of the given shape (YaRN as in the published model). */
    public static ModelConfig config(
            int vocab,
            int hidden,
            int layers,
            int heads,
            int indexHeads,
            int experts,
            int activeExperts,
            int moeInter,
            int denseInter,
            int topk,
            int maxPositions) {
        int groups = experts % 8 == 0 ? 8 : 1;
        return new ModelConfig(
                vocab,
                hidden,
                denseInter,
                moeInter,
                layers,
                1,
                heads,
                experts,
                1,
                activeExperts,
                groups,
                Math.max(1, groups / 2),
                2.5,
                "sigmoid",
                true,
                Math.max(128, hidden * 3 / 8),
                512,
                128,
                64,
                128,
                10000.0,
                new ModelConfig.Yarn(40, 4096, 32, 1, 1.0, 1.0),
                Math.max(maxPositions, 163840),
                1e-6,
                indexHeads,
                128,
                topk,
                0,
                false,
                128,
                128);
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir} (created if needed). */
    public static void write(Path dir, ModelConfig c, long seed, DType linearType) {
        try {
            Files.createDirectories(dir);
            ObjectNode json = c.toJson(linearType == DType.F8_E4M3);
            Files.writeString(
                    dir.resolve("config.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            List<Spec> specs = specs(c, linearType);
            ObjectNode header = Json.MAPPER.createObjectNode();
            long offset = 0;
            for (Spec s : specs) {
                ObjectNode t = header.putObject(s.name);
                t.put("dtype", s.dtype.name());
                var shape = t.putArray("shape");
                for (long d : s.shape) {
                    shape.add(d);
                }
                t.putArray("data_offsets").add(offset).add(offset + s.bytes());
                offset += s.bytes();
            }
            header.putObject("__metadata__").put("format", "pt").put("generator", "thinkloop synthetic seed=" + seed);
            byte[] hb = Json.MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
            int padded = (hb.length + 7) / 8 * 8;
            Path tmp = dir.resolve("model.safetensors.partial");
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(hb);
                while (head.position() < 8 + padded) {
                    head.put((byte) ' ');
                }
                head.flip();
                writeFully(ch, head);
                for (int i = 0; i < specs.size(); i++) {
                    Spec s = specs.get(i);
                    if (s.kind == Kind.SCALE_OF) {
                        continue; // written together with its FP8 weight, which precedes it
                    }
                    Spec scale =
                            i + 1 < specs.size() && specs.get(i + 1).kind == Kind.SCALE_OF ? specs.get(i + 1) : null;
                    writeTensor(ch, s, scale, seed, c);
                }
            }
            Files.move(tmp, dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic checkpoint to " + dir, e);
        }
    }

    private static List<Spec> specs(ModelConfig c, DType lin) {
        List<Spec> out = new ArrayList<>();
        DType big = lin == DType.F32 ? DType.F32 : DType.BF16;
        int dim = c.hiddenSize();
        out.add(new Spec("model.embed_tokens.weight", big, new long[] {c.vocabSize(), dim}, Kind.EMBED));
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            int h = c.numAttentionHeads();
            out.add(new Spec(p + "input_layernorm.weight", DType.F32, new long[] {dim}, Kind.ONES));
            linear(out, a + "q_a_proj.weight", c.qLoraRank(), dim, lin, c);
            out.add(new Spec(a + "q_a_layernorm.weight", DType.F32, new long[] {c.qLoraRank()}, Kind.ONES));
            linear(out, a + "q_b_proj.weight", h * c.qkHeadDim(), c.qLoraRank(), lin, c);
            linear(out, a + "kv_a_proj_with_mqa.weight", c.kvLoraRank() + c.qkRopeHeadDim(), dim, lin, c);
            out.add(new Spec(a + "kv_a_layernorm.weight", DType.F32, new long[] {c.kvLoraRank()}, Kind.ONES));
            linear(out, a + "kv_b_proj.weight", h * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank(), lin, c);
            linear(out, a + "o_proj.weight", dim, h * c.vHeadDim(), lin, c);
            linear(out, a + "indexer.wq_b.weight", c.indexNHeads() * c.indexHeadDim(), c.qLoraRank(), lin, c);
            linear(out, a + "indexer.wk.weight", c.indexHeadDim(), dim, lin, c);
            out.add(new Spec(a + "indexer.k_norm.weight", DType.F32, new long[] {c.indexHeadDim()}, Kind.ONES));
            out.add(new Spec(a + "indexer.k_norm.bias", DType.F32, new long[] {c.indexHeadDim()}, Kind.SMALL));
            out.add(new Spec(
                    a + "indexer.weights_proj.weight", DType.F32, new long[] {c.indexNHeads(), dim}, Kind.LINEAR));
            out.add(new Spec(p + "post_attention_layernorm.weight", DType.F32, new long[] {dim}, Kind.ONES));
            if (l < c.firstKDenseReplace()) {
                mlp(out, p + "mlp.", dim, c.intermediateSize(), lin, c);
            } else {
                for (int e = 0; e < c.nRoutedExperts(); e++) {
                    mlp(out, p + "mlp.experts." + e + ".", dim, c.moeIntermediateSize(), lin, c);
                }
                out.add(new Spec(p + "mlp.gate.weight", DType.F32, new long[] {c.nRoutedExperts(), dim}, Kind.LINEAR));
                out.add(new Spec(
                        p + "mlp.gate.e_score_correction_bias",
                        DType.F32,
                        new long[] {c.nRoutedExperts()},
                        Kind.SMALL));
                if (c.nSharedExperts() > 0) {
                    mlp(out, p + "mlp.shared_experts.", dim, c.nSharedExperts() * c.moeIntermediateSize(), lin, c);
                }
            }
        }
        out.add(new Spec("model.norm.weight", DType.F32, new long[] {dim}, Kind.ONES));
        out.add(new Spec("lm_head.weight", big, new long[] {c.vocabSize(), dim}, Kind.LINEAR));
        return out;
    }

    private static void mlp(List<Spec> out, String p, int dim, int inter, DType lin, ModelConfig c) {
        linear(out, p + "gate_proj.weight", inter, dim, lin, c);
        linear(out, p + "up_proj.weight", inter, dim, lin, c);
        linear(out, p + "down_proj.weight", dim, inter, lin, c);
    }

    private static void linear(List<Spec> out, String name, int rows, int cols, DType lin, ModelConfig c) {
        out.add(new Spec(name, lin, new long[] {rows, cols}, Kind.LINEAR));
        if (lin == DType.F8_E4M3) {
            out.add(new Spec(
                    name + "_scale_inv",
                    DType.F32,
                    new long[] {
                        (rows + c.fp8BlockRows() - 1) / c.fp8BlockRows(),
                        (cols + c.fp8BlockCols() - 1) / c.fp8BlockCols()
                    },
                    Kind.SCALE_OF));
        }
    }

    /** A small, fast, seedable generator (SplitMix64) of uniform floats in [-1, 1). */
    private static final class Rng {
        private long state;

        Rng(long seed, String name) {
            state = seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xBF58476D1CE4E5B9L;
        }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        float uniform() {
            return ((next() >>> 40) * 0x1p-24f) * 2f - 1f;
        }
    }

    private static void writeTensor(FileChannel ch, Spec s, Spec scaleSpec, long seed, ModelConfig c)
            throws IOException {
        Rng rng = new Rng(seed, s.name);
        long rows = s.shape[0];
        long cols = s.shape.length > 1 ? s.shape[1] : 1;
        float amp = switch (s.kind) {
            case LINEAR -> (float) Math.sqrt(3.0 / cols);
            case EMBED -> (float) Math.sqrt(3.0);
            case SMALL -> 0.05f;
            default -> 0f;
        };
        if (s.dtype == DType.F8_E4M3) {
            int br = c.fp8BlockRows();
            int bc = c.fp8BlockCols();
            int scaleCols = (int) ((cols + bc - 1) / bc);
            float[] scales = new float[(int) ((rows + br - 1) / br) * scaleCols];
            float[] block = new float[(int) (br * cols)];
            ByteBuffer buf = ByteBuffer.allocate(block.length);
            for (long r0 = 0; r0 < rows; r0 += br) {
                int nr = (int) Math.min(br, rows - r0);
                for (int i = 0; i < nr * cols; i++) {
                    block[i] = rng.uniform() * amp;
                }
                for (int b = 0; b < scaleCols; b++) {
                    float amax = 0;
                    for (int r = 0; r < nr; r++) {
                        for (long j = (long) b * bc; j < Math.min(cols, (long) (b + 1) * bc); j++) {
                            amax = Math.max(amax, Math.abs(block[(int) (r * cols + j)]));
                        }
                    }
                    scales[(int) (r0 / br) * scaleCols + b] = Fp8.blockScale(amax);
                }
                buf.clear();
                for (int r = 0; r < nr; r++) {
                    for (int j = 0; j < cols; j++) {
                        float sc = scales[(int) (r0 / br) * scaleCols + j / bc];
                        buf.put(Fp8.encodeRounded(block[(int) (r * cols + j)] / sc));
                    }
                }
                buf.flip();
                writeFully(ch, buf);
            }
            ByteBuffer sb = ByteBuffer.allocate(scales.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : scales) {
                sb.putFloat(f);
            }
            sb.flip();
            writeFully(ch, sb);
            return;
        }
        long n = rows * cols;
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            float v = s.kind == Kind.ONES ? 1f + 0.1f * rng.uniform() : rng.uniform() * amp;
            if (s.dtype == DType.F32) {
                buf.putFloat(v);
            } else {
                buf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
            }
            if (buf.remaining() < 4) {
                buf.flip();
                writeFully(ch, buf);
                buf.clear();
            }
        }
        buf.flip();
        writeFully(ch, buf);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
