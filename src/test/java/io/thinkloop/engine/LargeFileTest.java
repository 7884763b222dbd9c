package io.thinkloop.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint files over 2 GB: the golden sparse checkpoint rewritten so that every tensor lies beyond
 * the 2 GiB mark of its file (a sparse hole before the data, so the test costs no disk), then checked
 * against the same golden outputs. Proves the mapping and every offset are 64-bit.
 */
class LargeFileTest {
    private static final long HOLE = (1L << 31) + (1L << 20);

    @Test
    void tensorsBeyondTwoGigabytesLoadAndMatchTheGolden(@TempDir Path dir) throws IOException {
        Path src = GoldenTest.tiny("sparse");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Path file = dir.resolve("model.safetensors");
        try (FileChannel in = FileChannel.open(src.resolve("model.safetensors"), StandardOpenOption.READ);
                FileChannel out = FileChannel.open(
                        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            in.read(len, 0);
            long headerLen = len.flip().getLong();
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            in.read(hb, 8);
            ObjectNode header = (ObjectNode) Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("__metadata__")) {
                    ArrayNode offsets = (ArrayNode) e.getValue().get("data_offsets");
                    offsets.set(0, offsets.get(0).asLong() + HOLE);
                    offsets.set(1, offsets.get(1).asLong() + HOLE);
                }
            }
            byte[] newHeader = Json.MAPPER.writeValueAsBytes(header);
            ByteBuffer newLen = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(newHeader.length)
                    .flip();
            out.write(newLen, 0);
            out.write(ByteBuffer.wrap(newHeader), 8);
            long dataStart = 8 + newHeader.length + HOLE;
            in.transferTo(8 + headerLen, in.size() - 8 - headerLen, out.position(dataStart));
        }
        assertTrue(Files.size(file) > HOLE, "the file is over 2 GiB");

        try (Model m = Model.load(dir, 2)) {
            List<GoldenCheck.CaseResult> results = GoldenCheck.run(m, src.resolve("golden.json"), AttentionMode.SPARSE);
            assertFalse(results.isEmpty());
            for (GoldenCheck.CaseResult r : results) {
                assertTrue(r.passed(), "case " + r.index() + ": " + r.problems());
            }
        }
    }
}
