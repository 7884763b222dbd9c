package io.thinkloop.tokenizer;

import java.nio.file.Path;

/** Where the read-only shared data lives: the {@code thinkloop.shared} property, else ../shared. */
final class SharedFiles {
    private SharedFiles() {
    }

    static Path tokenizerJson() {
        String shared = System.getProperty("thinkloop.shared", "../shared");
        return Path.of(shared, "tokenizers", "deepseek-v3.2", "tokenizer.json");
    }
}
