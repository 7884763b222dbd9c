package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Float32 tensors in the safetensors layout (8-byte header length, JSON header, raw little-endian data): the
 * optimizer state of a training checkpoint. Safetensors rather than a private format so that the state can be
 * inspected with the same tools as model checkpoints; float32 bits are written as they are, so a restore is exact.
 */
final class StateFile {
    private static final int CHUNK = 1 << 20;

    private StateFile() {}

    /** A named tensor: its shape and its values. */
    record Tensor(int[] shape, float[] values) {}

    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectNode header = Json.MAPPER.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        header.putObject("__metadata__").put("format", "pt").put("generator", "thinkloop train state");
        byte[] hb = Json.MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) / 8 * 8;
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(hb);
            while (head.position() < 8 + padded) {
                head.put((byte) ' ');
            }
            head.flip();
            writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                float[] v = t.values();
                for (int from = 0; from < v.length; from += CHUNK) {
                    int n = Math.min(CHUNK, v.length - from);
                    buf.clear();
                    buf.asFloatBuffer().put(v, from, n);
                    buf.limit(4 * n);
                    writeFully(ch, buf);
                }
            }
        }
    }

    static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long hlen = len.flip().getLong();
            if (hlen <= 0 || hlen > 100_000_000 || 8 + hlen > ch.size()) {
                throw new IOException(file + ": not a safetensors file");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            readFully(ch, hb, 8);
            JsonNode header = Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            Map<String, Tensor> out = new LinkedHashMap<>();
            long base = 8 + hlen;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                if (!t.path("dtype").asText().equals("F32")) {
                    throw new IOException(file + ": tensor " + e.getKey() + " is not F32");
                }
                int[] shape = new int[t.path("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asInt();
                    n *= shape[i];
                }
                long start = t.path("data_offsets").get(0).asLong();
                long end = t.path("data_offsets").get(1).asLong();
                if (end - start != 4 * n || base + end > ch.size()) {
                    throw new IOException(file + ": tensor " + e.getKey() + " has inconsistent offsets");
                }
                float[] v = new float[(int) n];
                ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (int from = 0; from < v.length; from += CHUNK) {
                    int k = Math.min(CHUNK, v.length - from);
                    buf.clear().limit(4 * k);
                    readFully(ch, buf, base + start + 4L * from);
                    buf.flip().asFloatBuffer().get(v, from, k);
                }
                out.put(e.getKey(), new Tensor(shape, v));
            }
            return out;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }
}
