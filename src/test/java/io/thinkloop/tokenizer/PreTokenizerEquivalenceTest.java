package io.thinkloop.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written DeepSeek pre-tokenizer cuts text exactly where its three regexes (run by
 * java.util.regex) do: on the parity corpus and on every code point in several contexts.
 */
class PreTokenizerEquivalenceTest {
    private static final RegexPreTokenizer REGEX = new RegexPreTokenizer(List.of(
            new RegexPreTokenizer.Split(
                    RegexPreTokenizer.compile(DeepSeekPreTokenizer.DIGITS), RegexPreTokenizer.Behavior.ISOLATED),
            new RegexPreTokenizer.Split(
                    RegexPreTokenizer.compile(DeepSeekPreTokenizer.CJK), RegexPreTokenizer.Behavior.ISOLATED),
            new RegexPreTokenizer.Split(
                    RegexPreTokenizer.compile(DeepSeekPreTokenizer.WORDS), RegexPreTokenizer.Behavior.ISOLATED)));
    private static final DeepSeekPreTokenizer FAST = new DeepSeekPreTokenizer();

    private static List<String> words(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, 0, text.length(), (from, to) -> out.add(text.substring(from, to)));
        return out;
    }

    @Test
    void deepSeekTokenizerUsesTheHandWrittenForm() throws Exception {
        Tokenizer t = Tokenizer.load(TestData.tokenizerJson());
        assertInstanceOf(DeepSeekPreTokenizer.class, t.preTokenizer());
        assertTrue(DeepSeekPreTokenizer.matches(REGEX.splits()));
    }

    @Test
    void examples() {
        assertEquals(List.of("Hello", ",", " world", "!"), words(FAST, "Hello, world!"));
        assertEquals(List.of("123", "456", "7", " apples"), words(FAST, "1234567 apples"));
        assertEquals(List.of("  ", " x", "\n\n", "\ty", "  "), words(FAST, "   x\n\n\ty  "));
        assertEquals(List.of("日本語のテスト", "・", "ケース", "abc"), words(FAST, "日本語のテスト・ケースabc"));
        assertEquals(List.of("I", "'m", " fine", ".\n"), words(FAST, "I'm fine.\n"));
    }

    @Test
    void sameWordsOnCorpus() {
        List<String> corpus =
                new TokenizerCorpus(20261128L, List.of("<think>", "</think>", "<｜User｜>")).generate(12_000);
        int diffs = 0;
        String first = null;
        for (String text : corpus) {
            List<String> want = words(REGEX, text);
            List<String> got = words(FAST, text);
            if (!want.equals(got)) {
                diffs++;
                if (first == null) {
                    first = text + "\n want " + want + "\n got  " + got;
                }
            }
        }
        assertEquals(0, diffs, first);
    }

    @Test
    void sameWordsForEveryCodePoint() {
        int[] contexts = {' ', 'a', '!', '\n', 0x3000, 0x0301, 0x4E2D};
        StringBuilder sb = new StringBuilder();
        List<String> diffs = new ArrayList<>();
        // Planes 0-3 hold every assigned character; the rest (unassigned, private use) is sampled.
        for (int cp = 0; cp < 0x110000; cp += cp < 0x40000 ? 1 : 61) {
            if (Character.getType(cp) != Character.SURROGATE) {
                for (int c : contexts) {
                    sb.appendCodePoint(c)
                            .appendCodePoint(cp)
                            .appendCodePoint(cp)
                            .appendCodePoint(c);
                }
                sb.append(' ');
            }
            if (sb.length() > 4000) {
                compare(sb.toString(), cp, diffs);
                sb.setLength(0);
            }
        }
        compare(sb.toString(), 0x10FFFF, diffs);
        assertEquals(List.of(), diffs.subList(0, Math.min(20, diffs.size())));
    }

    private static void compare(String text, int near, List<String> diffs) {
        if (!words(REGEX, text).equals(words(FAST, text))) {
            diffs.add(String.format("near U+%04X", near));
        }
    }
}
