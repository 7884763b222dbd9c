package io.thinkloop.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The golden encoding cases of the reference encoder (in the test resources, see {@link TestData}). */
final class GoldenData {
    private GoldenData() {}

    static Path casesFile() {
        return TestData.encodingCases();
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
