package io.thinkloop.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SubsetVocabularyTest {
    private static final Tokenizer BASE = BundledTokenizer.get();
    private static final String CORPUS = """
            <｜begin▁of▁sentence｜>Plan a 3-day trip to Hangzhou: hotels, attractions and restaurants.<｜User｜>
            The customer with e-mail oren.costa@example.com asks about their most recent order.<｜Assistant｜><think>
            I need the hotels first.</think>Submitted the plan.<｜end▁of▁sentence｜>
            """;
    private static SubsetVocabulary small;

    @BeforeAll
    static void fitASmallSubset() {
        long[] counts = new long[BASE.vocabSize()];
        for (int i = 0; i < 20; i++) {
            for (int id : BASE.encode(CORPUS)) {
                counts[id]++;
            }
        }
        small = SubsetVocabulary.fit(BASE, counts, 320);
    }

    @Test
    void aSubsetHoldsTheBytesTheSpecialsAndTheMostUsedPiecesButNoPlaceholders() {
        assertEquals(320, small.size());
        for (int b = 0; b < 256; b++) {
            assertTrue(small.contains(BASE.byteTokenId(b)), "byte " + b);
        }
        for (String special : new String[] {
            "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<think>", "</think>", "<｜User｜>", "<｜Assistant｜>"
        }) {
            assertTrue(small.contains(BASE.tokenId(special)), special);
        }
        assertTrue(!small.contains(BASE.tokenId("<｜place▁holder▁no▁5｜>")));
        assertEquals(0, small.toSubset(0), "BOS keeps id 0");
        assertEquals(1, small.toSubset(1), "EOS keeps id 1");
        // The most frequent multi-byte pieces made it in.
        int[] plain = BASE.encode(" the hotels");
        int kept = 0;
        for (int id : plain) {
            kept += small.contains(id) ? 1 : 0;
        }
        assertTrue(kept > 0);
    }

    @Test
    void everyTextEncodesInsideTheSubsetAndDecodesExactly() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            String text = randomText(random, 1 + random.nextInt(80));
            int[] ids = small.encode(text);
            for (int id : ids) {
                assertTrue(small.contains(id), "id " + id + " of " + text);
            }
            assertEquals(BASE.decode(BASE.encode(text)), small.decode(ids), "round " + round);
            if (!hasLoneSurrogate(text)) {
                assertEquals(text, small.decode(ids));
            }
            assertTrue(ids.length >= BASE.encode(text).length);
        }
    }

    @Test
    void aTokenOutsideTheSubsetSplitsIntoPiecesWithTheSameBytes() {
        String text = " internationalization 🤖 中文字符 <｜place▁holder▁no▁5｜> <｜User｜>";
        int[] full = BASE.encode(text);
        SubsetVocabulary.Restricted r = small.restrictTracked(full);
        assertEquals(text, BASE.decode(r.ids()));
        assertEquals(r.ids().length, r.origin().length);
        for (int i = 0; i < full.length; i++) {
            int from = i;
            int[] pieces = IntStream.range(0, r.ids().length)
                    .filter(j -> r.origin()[j] == from)
                    .map(j -> r.ids()[j])
                    .toArray();
            assertEquals(BASE.decode(new int[] {full[i]}), BASE.decode(pieces), "token " + full[i]);
        }
        assertTrue(contains(r.ids(), BASE.tokenId("<｜User｜>")), "a special in the subset stays one token");
        assertTrue(!contains(r.ids(), BASE.tokenId("<｜place▁holder▁no▁5｜>")), "a placeholder is read as text");
    }

    @Test
    void theFullVocabularyAsASubsetChangesNothing() {
        long[] counts = new long[BASE.vocabSize()];
        Arrays.fill(counts, 1);
        SubsetVocabulary all = SubsetVocabulary.fit(BASE, counts, BASE.vocabSize());
        String text = randomText(new Random(3), 200);
        assertArrayEquals(BASE.encode(text), all.encode(text));
    }

    @Test
    void vocabJsonRoundTripsAndRejectsAnotherBaseOrAMissingByte() throws Exception {
        Path dir = TestTemp.dir("vocab");
        Path file = dir.resolve(SubsetVocabulary.FILE);
        small.write(file);
        SubsetVocabulary back = SubsetVocabulary.read(file, BASE);
        assertEquals(small.size(), back.size());
        for (int i = 0; i < small.size(); i++) {
            assertEquals(small.toBase(i), back.toBase(i));
        }
        String json = Files.readString(file);
        assertTrue(json.contains("\"format\":\"thinkloop-vocab-subset/1\""), json);
        Files.writeString(file, json.replace("\"base_vocab_size\":" + BASE.vocabSize(), "\"base_vocab_size\":5"));
        assertTrue(assertThrows(Exception.class, () -> SubsetVocabulary.read(file, BASE))
                .getMessage()
                .contains("base vocabulary"));
        int[] noByte = IntStream.range(0, small.size())
                .map(small::toBase)
                .filter(id -> id != BASE.byteTokenId('a'))
                .toArray();
        assertThrows(IllegalArgumentException.class, () -> SubsetVocabulary.of(BASE, noByte));
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** ASCII, accented Latin, CJK, emoji (surrogate pairs), lone surrogates, specials and placeholders, mixed. */
    static String randomText(Random r, int parts) {
        String[] pieces = {
            " the",
            "hotel",
            "\n\n",
            "  ",
            "é",
            "ß",
            "中文",
            "日本語",
            "🤖",
            "👩‍👩‍👧",
            "🇫🇷",
            "<｜User｜>",
            "<think>",
            "<｜place▁holder▁no▁9｜>",
            "123",
            "4.5",
            "\t",
            "{\"a\": 1}",
            "Ω",
            "\u0301"
        };
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            switch (r.nextInt(4)) {
                case 0 -> b.append(pieces[r.nextInt(pieces.length)]);
                case 1 -> b.appendCodePoint(r.nextInt(0x80));
                case 2 -> {
                    int cp = r.nextInt(0x10FFFF + 1);
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        b.append((char) cp); // a lone surrogate
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
                default -> b.appendCodePoint(0x1F300 + r.nextInt(0x300)); // emoji plane
            }
        }
        return b.toString();
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
