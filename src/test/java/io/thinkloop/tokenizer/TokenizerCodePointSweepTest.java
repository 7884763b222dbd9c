package io.thinkloop.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.thinkloop.testkit.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Every code point (surrogates aside) in contexts where its Unicode class decides the split: the
 * pre-tokenizer's regexes depend on general categories and White_Space, and the JDK's Unicode tables
 * must agree with Oniguruma's inside the Rust library. It takes minutes, so it runs only when asked:
 * {@code -Dthinkloop.tokenizer.sweep=true}. (The pre-tokenizer equivalence test covers every code point
 * against the regex form on every run.)
 */
@EnabledIfSystemProperty(named = "thinkloop.tokenizer.sweep", matches = "true")
class TokenizerCodePointSweepTest {
    @Test
    void everyCodePointSplitsLikeHuggingFace() throws Exception {
        Tokenizer ours = Tokenizer.load(TestData.tokenizerJson());
        List<String> diffs = new ArrayList<>();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                TestData.tokenizerJson(),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            int perString = 48;
            StringBuilder sb = new StringBuilder();
            int first = 0;
            for (int cp = 0; cp <= 0x110000; cp++) {
                boolean flush = cp == 0x110000 || (cp - first) == perString;
                if (flush && sb.length() > 0) {
                    String text = sb.toString();
                    long[] want = hf.encode(text, false, false).getIds();
                    long[] got = Arrays.stream(ours.encode(text)).asLongStream().toArray();
                    if (!Arrays.equals(got, want)) {
                        diffs.add(String.format("U+%04X..U+%04X", first, cp - 1));
                    }
                    sb.setLength(0);
                    first = cp;
                }
                if (cp == 0x110000) {
                    break;
                }
                if (Character.getType(cp) == Character.SURROGATE) {
                    continue;
                }
                // Contexts: after a space, between letters, after punctuation, before a digit, after a newline.
                sb.append(' ')
                        .appendCodePoint(cp)
                        .append('a')
                        .appendCodePoint(cp)
                        .append('!')
                        .appendCodePoint(cp)
                        .append('1')
                        .append('\n')
                        .appendCodePoint(cp)
                        .appendCodePoint(cp)
                        .append(' ');
            }
        }
        System.out.println("code point sweep: " + diffs.size() + " differing blocks "
                + diffs.subList(0, Math.min(50, diffs.size())));
        assertEquals(List.of(), diffs);
    }
}
