package io.thinkloop.testkit;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests' reference data lives: {@code src/test/resources} (provenance in its README.md), found
 * through the test classpath so a fresh clone needs nothing beside it. The engine maps checkpoints from
 * disk, so these are paths (Maven copies test resources into a plain folder, target/test-classes).
 */
public final class TestData {
    private TestData() {}

    /** The DeepSeek-V3.2 chat encoding and parsing cases of the reference encoder, one JSON object a line. */
    public static Path encodingCases() {
        return resource("golden/dsv32-encoding/cases.jsonl");
    }

    /** A tiny DeepSeek-V3.2-architecture checkpoint with its golden logits: {@code sparse}, {@code dense} or {@code fp8}. */
    public static Path tinyCheckpoint(String variant) {
        return resource("golden/dsv32-tiny/" + variant);
    }

    /** The DeepSeek-V3.2 {@code tokenizer.json} (the same bytes the jar bundles gzipped). */
    public static Path tokenizerJson() {
        return resource("tokenizers/deepseek-v3.2/tokenizer.json");
    }

    private static Path resource(String name) {
        URL url = TestData.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException(
                    "test resource " + name + " is missing from the test classpath (src/test/resources)");
        }
        if (!"file".equals(url.getProtocol())) {
            throw new IllegalStateException("test resource " + name + " is not a plain file: " + url);
        }
        try {
            Path p = Path.of(url.toURI());
            if (!Files.exists(p)) {
                throw new IllegalStateException("test resource " + name + " not found at " + p);
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test resource " + name + ": " + url, e);
        }
    }
}
