package io.thinkloop.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face checkpoint directory: {@code config.json} plus {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Every file is memory-mapped whole (long offsets,
 * so files over 2 GB work); tensors are slices of the mapping, never copied onto the heap. The
 * loader {@link #take takes} tensors by name and shape; {@link #requireAllTaken} then rejects
 * tensors nobody asked for, so a wrong checkpoint fails loudly instead of computing garbage.
 */
public final class Checkpoint implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final Arena arena;
    private final Map<String, TensorRef> tensors = new TreeMap<>();
    private final Set<String> taken = new LinkedHashSet<>();

    private Checkpoint(Path dir, ModelConfig config, Arena arena) {
        this.dir = dir;
        this.config = config;
        this.arena = arena;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("checkpoint directory " + dir + " does not exist");
        }
        Path configPath = dir.resolve("config.json");
        if (!Files.isRegularFile(configPath)) {
            throw new CheckpointException("checkpoint " + dir + " lacks config.json");
        }
        ModelConfig config = ModelConfig.read(configPath);
        Arena arena = Arena.ofShared();
        Checkpoint c = new Checkpoint(dir, config, arena);
        try {
            Path index = dir.resolve("model.safetensors.index.json");
            Path single = dir.resolve("model.safetensors");
            if (Files.isRegularFile(index)) {
                c.readIndex(index);
            } else if (Files.isRegularFile(single)) {
                c.mapFile(single, null);
            } else {
                throw new CheckpointException(
                        "checkpoint " + dir + " has neither model.safetensors nor model.safetensors.index.json");
            }
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        return c;
    }

    private void readIndex(Path index) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + index + ": " + e.getMessage(), e);
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index + ": no weight_map object");
        }
        Map<String, Set<String>> byFile = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            byFile.computeIfAbsent(e.getValue().asText(), k -> new LinkedHashSet<>())
                    .add(e.getKey());
        }
        for (var e : byFile.entrySet()) {
            Path shard = dir.resolve(e.getKey()).normalize();
            if (!shard.startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
                throw new CheckpointException(index + " names shard " + e.getKey() + " which does not exist");
            }
            mapFile(shard, e.getValue());
        }
    }

    private void mapFile(Path file, Set<String> expectedNames) {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new CheckpointException("cannot map " + file + ": " + e.getMessage(), e);
        }
        if (seg.byteSize() < 8) {
            throw new CheckpointException(file + " is too short to be a safetensors file");
        }
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > 100_000_000 || 8 + headerLen > seg.byteSize()) {
            throw new CheckpointException(file + ": invalid safetensors header length " + headerLen);
        }
        byte[] hb = seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = Json.MAPPER.readTree(new String(hb, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException(file + ": safetensors header is not JSON: " + e.getMessage(), e);
        }
        long dataStart = 8 + headerLen;
        long dataLen = seg.byteSize() - dataStart;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            String dts = t.path("dtype").asText();
            DType dt = DType.parse(dts);
            if (dt == null) {
                throw new CheckpointException("tensor " + name + " in " + file.getFileName() + " has dtype " + dts
                        + "; supported: F32, BF16, F8_E4M3");
            }
            JsonNode sh = t.get("shape");
            JsonNode off = t.get("data_offsets");
            if (sh == null || !sh.isArray() || off == null || off.size() != 2) {
                throw new CheckpointException(
                        "tensor " + name + " in " + file.getFileName() + " lacks shape or data_offsets");
            }
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asLong();
            }
            long begin = off.get(0).asLong();
            long end = off.get(1).asLong();
            TensorRef ref = new TensorRef(name, dt, shape, MemorySegment.NULL);
            if (begin < 0 || end < begin || end > dataLen || end - begin != ref.elements() * dt.size()) {
                throw new CheckpointException(
                        "tensor " + name + " in " + file.getFileName() + ": data_offsets [" + begin + ", " + end
                                + "] do not fit dtype " + dt + " shape " + ref.shapeString() + " within the file");
            }
            if (tensors.containsKey(name)) {
                throw new CheckpointException("tensor " + name + " appears twice in " + dir);
            }
            if (expectedNames != null && !expectedNames.contains(name)) {
                throw new CheckpointException(
                        "tensor " + name + " is in shard " + file.getFileName() + " but the index maps it elsewhere");
            }
            tensors.put(name, new TensorRef(name, dt, shape, seg.asSlice(dataStart + begin, end - begin)));
        }
        if (expectedNames != null) {
            for (String n : expectedNames) {
                if (!tensors.containsKey(n)) {
                    throw new CheckpointException(
                            "tensor " + n + " is listed in the index but missing from " + file.getFileName());
                }
            }
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor {@code name}, which must have exactly {@code shape}; marks it as used. */
    public TensorRef take(String name, long... shape) {
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(
                    "checkpoint " + dir + " lacks tensor " + name + " (expected shape " + Arrays.toString(shape) + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(
                    "tensor " + name + " has shape " + t.shapeString() + ", expected " + Arrays.toString(shape));
        }
        taken.add(name);
        return t;
    }

    /** Fails naming every tensor that no loader step took (multi-token-prediction layers excepted). */
    public void requireAllTaken() {
        List<String> extra = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (!taken.contains(n) && !isIgnorable(n)) {
                extra.add(n);
            }
        }
        if (!extra.isEmpty()) {
            throw new CheckpointException("checkpoint " + dir + " has unexpected tensor" + (extra.size() > 1 ? "s" : "")
                    + ": " + String.join(", ", extra.subList(0, Math.min(10, extra.size())))
                    + (extra.size() > 10 ? " and " + (extra.size() - 10) + " more" : ""));
        }
    }

    private boolean isIgnorable(String name) {
        if (name.endsWith("rotary_emb.inv_freq")) {
            return true;
        }
        // Multi-token-prediction layers follow the main layers; the engine does not run them.
        if (config.numNextnPredictLayers() > 0 && name.startsWith("model.layers.")) {
            int dot = name.indexOf('.', 13);
            try {
                int layer = Integer.parseInt(name.substring(13, dot));
                return layer >= config.numHiddenLayers()
                        && layer < config.numHiddenLayers() + config.numNextnPredictLayers();
            } catch (RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        arena.close();
    }
}
