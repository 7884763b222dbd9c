package io.thinkloop.train.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.engine.checkpoint.Checkpoint;
import io.thinkloop.engine.checkpoint.CheckpointException;
import io.thinkloop.engine.checkpoint.DType;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.TensorRef;
import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.json.Json;
import io.thinkloop.train.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Reading parameters from an engine checkpoint (every weight dtype the engine reads, FP8 dequantised
 * to {@code value x block scale}), initialising fresh ones, and writing them back as a float32
 * safetensors checkpoint with the config the engine expects.
 */
final class CheckpointIo {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CheckpointIo() {}

    static TrainableModel load(Path dir, int threads) {
        try (Checkpoint ck = Checkpoint.open(dir)) {
            ModelConfig c = ck.config();
            boolean withHead = !(c.tieWordEmbeddings() && !ck.has(ParameterLayout.HEAD));
            Map<String, Parameter> named = new LinkedHashMap<>();
            for (ParameterLayout.Spec s : ParameterLayout.specs(c, withHead)) {
                named.put(s.name(), new Parameter(s.name(), s.shape(), read(ck, s), new float[size(s.shape())]));
            }
            Map<Integer, float[]> biases = new LinkedHashMap<>();
            for (int l = 0; l < c.numHiddenLayers(); l++) {
                if (ParameterLayout.isMoe(c, l) && ck.has(ParameterLayout.biasName(l))) {
                    TensorRef t = ck.take(ParameterLayout.biasName(l), c.nRoutedExperts());
                    biases.put(l, floats(t));
                }
            }
            ck.requireAllTaken();
            return new TrainableModel(c, named, biases, threads);
        }
    }

    static TrainableModel create(ModelConfig c, long seed, int threads) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (ParameterLayout.Spec s : ParameterLayout.specs(c, true)) {
            int n = size(s.shape());
            float[] v = new float[n];
            SplittableRandom rng =
                    new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ s.name().hashCode());
            float amp = switch (s.init()) {
                case LINEAR -> (float) Math.sqrt(3.0 / s.shape()[1]);
                case EMBED -> (float) Math.sqrt(3.0);
                default -> 0f;
            };
            for (int i = 0; i < n; i++) {
                v[i] = s.init() == ParameterLayout.Init.ONES ? 1f : amp * (float) (2 * rng.nextDouble() - 1);
            }
            named.put(s.name(), new Parameter(s.name(), s.shape(), v, new float[n]));
        }
        Map<Integer, float[]> biases = new LinkedHashMap<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            if (ParameterLayout.isMoe(c, l)) {
                biases.put(l, new float[c.nRoutedExperts()]);
            }
        }
        return new TrainableModel(c, named, biases, threads);
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static float[] read(Checkpoint ck, ParameterLayout.Spec s) {
        long[] shape = new long[s.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.shape()[i];
        }
        TensorRef t = ck.take(s.name(), shape);
        if (t.dtype() != DType.F8_E4M3) {
            return floats(t);
        }
        if (shape.length != 2) {
            throw new CheckpointException("tensor " + s.name() + " is F8_E4M3 but not a matrix");
        }
        ModelConfig c = ck.config();
        int rows = s.shape()[0];
        int cols = s.shape()[1];
        int br = c.fp8BlockRows();
        int bc = c.fp8BlockCols();
        int scaleCols = (cols + bc - 1) / bc;
        TensorRef st = ck.take(s.name() + "_scale_inv", (rows + br - 1) / br, scaleCols);
        if (st.dtype() != DType.F32) {
            throw new CheckpointException("tensor " + st.name() + " has dtype " + st.dtype() + ", expected F32");
        }
        float[] scales = floats(st);
        float[] out = new float[rows * cols];
        MemorySegment d = t.data();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                long i = (long) r * cols + j;
                out[(int) i] = Fp8.decode(d.get(ValueLayout.JAVA_BYTE, i)) * scales[(r / br) * scaleCols + j / bc];
            }
        }
        return out;
    }

    private static float[] floats(TensorRef t) {
        int n = Math.toIntExact(t.elements());
        float[] out = new float[n];
        if (t.dtype() == DType.F32) {
            MemorySegment.copy(t.data(), F32, 0, out, 0, n);
        } else if (t.dtype() == DType.BF16) {
            for (int i = 0; i < n; i++) {
                out[i] = Float.intBitsToFloat(t.data().get(BF16, 2L * i) << 16);
            }
        } else {
            throw new CheckpointException("tensor " + t.name() + " is " + t.dtype() + "; expected F32 or BF16");
        }
        return out;
    }

    static void save(TrainableModel m, Path dir) {
        ModelConfig c = m.config();
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Parameter p : m.parameters()) {
            tensors.put(p.name(), p.value());
            shapes.put(p.name(), p.shape());
        }
        if (!tensors.containsKey(ParameterLayout.HEAD)) {
            // the written config does not tie the head, so the head is written out
            tensors.put(ParameterLayout.HEAD, m.embed.value());
            shapes.put(ParameterLayout.HEAD, m.embed.shape());
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            float[] b = m.routingBias(l);
            if (b != null) {
                tensors.put(ParameterLayout.biasName(l), b);
                shapes.put(ParameterLayout.biasName(l), new int[] {b.length});
            }
        }
        try {
            Files.createDirectories(dir);
            ModelConfig plain = new ModelConfig(
                    c.vocabSize(),
                    c.hiddenSize(),
                    c.intermediateSize(),
                    c.moeIntermediateSize(),
                    c.numHiddenLayers(),
                    c.firstKDenseReplace(),
                    c.numAttentionHeads(),
                    c.nRoutedExperts(),
                    c.nSharedExperts(),
                    c.numExpertsPerTok(),
                    c.nGroup(),
                    c.topkGroup(),
                    c.routedScalingFactor(),
                    c.scoringFunc(),
                    c.normTopkProb(),
                    c.qLoraRank(),
                    c.kvLoraRank(),
                    c.qkNopeHeadDim(),
                    c.qkRopeHeadDim(),
                    c.vHeadDim(),
                    c.ropeTheta(),
                    c.yarn(),
                    c.maxPositionEmbeddings(),
                    c.rmsNormEps(),
                    c.indexNHeads(),
                    c.indexHeadDim(),
                    c.indexTopk(),
                    0,
                    false,
                    c.fp8BlockRows(),
                    c.fp8BlockCols());
            ObjectNode json = plain.toJson(false);
            Files.writeString(
                    dir.resolve("config.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            ObjectNode header = Json.MAPPER.createObjectNode();
            long offset = 0;
            for (var e : tensors.entrySet()) {
                ObjectNode t = header.putObject(e.getKey());
                t.put("dtype", "F32");
                ArrayNode shape = t.putArray("shape");
                for (int d : shapes.get(e.getKey())) {
                    shape.add(d);
                }
                long bytes = 4L * e.getValue().length;
                t.putArray("data_offsets").add(offset).add(offset + bytes);
                offset += bytes;
            }
            header.putObject("__metadata__").put("format", "pt").put("generator", "thinkloop trainer");
            byte[] hb = Json.MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
            int padded = (hb.length + 7) / 8 * 8;
            Path tmp = dir.resolve("model.safetensors.partial");
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(hb);
                while (head.hasRemaining()) {
                    head.put((byte) ' ');
                }
                head.flip();
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] v : tensors.values()) {
                    for (float f : v) {
                        if (!buf.hasRemaining()) {
                            buf.flip();
                            writeFully(ch, buf);
                            buf.clear();
                        }
                        buf.putFloat(f);
                    }
                }
                buf.flip();
                writeFully(ch, buf);
            }
            Files.move(tmp, dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + dir, e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
