package io.thinkloop.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shared golden cases, found through the {@code thinkloop.shared} property (else {@code ../shared}). */
final class GoldenData {
    private GoldenData() {
    }

    static Path casesFile() {
        return Path.of(System.getProperty("thinkloop.shared", "../shared"), "golden", "dsv32-encoding", "cases.jsonl");
    }

    static List<JsonNode> cases() {
        try {
            return Files.readAllLines(casesFile(), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .map(GoldenData::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
