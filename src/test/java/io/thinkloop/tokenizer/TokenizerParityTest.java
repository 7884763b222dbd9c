package io.thinkloop.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our tokenizer against the Hugging Face tokenizers library (Rust, through DJL's JNI binding) on a
 * deterministic corpus of 12,000 varied strings: identical ids, identical decodes, and a streaming
 * decode that concatenates to the same text.
 */
class TokenizerParityTest {
    private static final int CORPUS_SIZE = 12_000;
    private static Tokenizer ours;
    private static HuggingFaceTokenizer hf;
    private static List<String> corpus;

    @BeforeAll
    static void load() throws Exception {
        Path json = TestData.tokenizerJson();
        ours = Tokenizer.load(json);
        // No truncation, padding or added BOS/EOS: the ids of the text alone, as our encode gives them.
        hf = HuggingFaceTokenizer.newInstance(
                json, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        List<String> addedContents = new ArrayList<>();
        for (JsonNode t : Json.MAPPER.readTree(json.toFile()).path("added_tokens")) {
            addedContents.add(t.path("content").asText());
        }
        corpus = new TokenizerCorpus(20261128L, addedContents).generate(CORPUS_SIZE);
    }

    @AfterAll
    static void close() {
        if (hf != null) {
            hf.close();
        }
    }

    private static long[] hfIds(String text) {
        return hf.encode(text, false, false).getIds();
    }

    private static long[] widen(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    @Test
    void knownIds() {
        assertEquals(128815, ours.vocabSize());
        assertEquals(128798, ours.tokenId("<think>"));
        assertEquals(128799, ours.tokenId("</think>"));
        assertEquals(0, ours.tokenId("<｜begin▁of▁sentence｜>"));
        assertEquals(1, ours.tokenId("<｜end▁of▁sentence｜>"));
        assertEquals(128803, ours.tokenId("<｜User｜>"));
        assertEquals(128804, ours.tokenId("<｜Assistant｜>"));
        assertArrayEquals(
                new int[] {128803, 128804, 128798, 128799}, ours.encode("<｜User｜><｜Assistant｜><think></think>"));
        assertTrue(ours.isSpecial(0) && ours.isSpecial(1) && !ours.isSpecial(128798));
    }

    @Test
    void encodeMatchesHuggingFaceOnCorpus() {
        List<String> failures = new ArrayList<>();
        long tokens = 0;
        for (String text : corpus) {
            int[] got = ours.encode(text);
            long[] want = hfIds(text);
            tokens += want.length;
            if (!Arrays.equals(widen(got), want)) {
                failures.add(describe(text) + "\n  ours=" + Arrays.toString(got) + "\n  hf  =" + Arrays.toString(want));
            }
        }
        System.out.printf(
                "tokenizer parity: %d strings, %d tokens, %d mismatches%n", corpus.size(), tokens, failures.size());
        assertEquals(
                List.of(),
                failures.subList(0, Math.min(10, failures.size())),
                failures.size() + " of " + corpus.size() + " strings differ");
    }

    @Test
    void decodeAndStreamingRoundTrip() {
        List<String> failures = new ArrayList<>();
        for (String text : corpus) {
            int[] ids = ours.encode(text);
            String decoded = ours.decode(ids);
            String hfDecoded = hf.decode(widen(ids), false);
            String streamed = stream(ids);
            if (!decoded.equals(text) || !hfDecoded.equals(decoded) || !streamed.equals(decoded)) {
                failures.add(describe(text) + " decoded=" + describe(decoded) + " hf=" + describe(hfDecoded)
                        + " streamed=" + describe(streamed));
            }
        }
        assertEquals(
                List.of(),
                failures.subList(0, Math.min(10, failures.size())),
                failures.size() + " of " + corpus.size() + " strings fail to round-trip");
    }

    /** The word cache is shared without locks: threads racing on a cold cache must still agree. */
    @Test
    void concurrentEncodesAgree() throws Exception {
        Tokenizer fresh = Tokenizer.load(TestData.tokenizerJson());
        Tokenizer reference = fresh.withoutWordCache();
        List<int[]> expected = corpus.stream().map(reference::encode).toList();
        List<Thread> threads = new ArrayList<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int offset = t * 997;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < corpus.size(); k++) {
                    int i = (k + offset) % corpus.size();
                    if (!Arrays.equals(expected.get(i), fresh.encode(corpus.get(i)))) {
                        failures.add(describe(corpus.get(i)));
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())));
    }

    /** Random id sequences split characters anywhere and make invalid UTF-8: decodes must still agree. */
    @Test
    void decodeOfArbitraryIdsMatchesHuggingFace() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int[] ids = new int[1 + rnd.nextInt(12)];
            for (int j = 0; j < ids.length; j++) {
                // Mostly byte-ish tokens (ids of single bytes and short pieces sit low), sometimes anything.
                ids[j] = rnd.nextInt(4) == 0 ? rnd.nextInt(ours.vocabSize()) : tokenOfRandomByte(rnd);
            }
            String decoded = ours.decode(ids);
            String want = hf.decode(widen(ids), false);
            String streamed = stream(ids);
            if (!decoded.equals(want) || !streamed.equals(decoded)) {
                failures.add(Arrays.toString(ids) + " ours=" + describe(decoded) + " hf=" + describe(want)
                        + " streamed=" + describe(streamed));
            }
        }
        assertEquals(
                List.of(), failures.subList(0, Math.min(10, failures.size())), failures.size() + " decodes differ");
    }

    /** Streaming never emits a replacement character while a multi-byte character is still arriving. */
    @Test
    void streamingHoldsSplitCharacters() {
        // "€" is E2 82 AC: feed it byte by byte.
        int[] bytes = {
            ours.tokenId(String.valueOf(ByteLevel.charOf(0xE2))),
            ours.tokenId(String.valueOf(ByteLevel.charOf(0x82))),
            ours.tokenId(String.valueOf(ByteLevel.charOf(0xAC)))
        };
        StreamingDecoder d = ours.newDecoder();
        assertEquals("", d.next(bytes[0]));
        assertEquals("", d.next(bytes[1]));
        assertEquals("€", d.next(bytes[2]));
        assertEquals("", d.flush());
        StreamingDecoder cut = ours.newDecoder();
        assertEquals("", cut.next(bytes[0]));
        assertEquals("\uFFFD", cut.flush()); // an unfinished character at the end is replaced, as decode does
        assertEquals("<｜User｜>", ours.newDecoder().next(128803));
    }

    private static int tokenOfRandomByte(SplittableRandom rnd) {
        return ours.tokenId(String.valueOf(ByteLevel.charOf(rnd.nextInt(256))));
    }

    private static String stream(int[] ids) {
        StreamingDecoder d = ours.newDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String piece = d.next(id);
            for (int k = 0; k < piece.length(); k++) {
                char c = piece.charAt(k);
                if (Character.isHighSurrogate(c)
                        && (k + 1 >= piece.length() || !Character.isLowSurrogate(piece.charAt(k + 1)))) {
                    throw new AssertionError("streamed a broken surrogate pair");
                }
            }
            sb.append(piece);
        }
        return sb.append(d.flush()).toString();
    }

    private static String describe(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(200).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F && cp != '"') {
                sb.appendCodePoint(cp);
            } else {
                sb.append(String.format("\\u{%X}", cp));
            }
        });
        return sb.append(s.length() > 200 ? "...\"" : "\"").toString();
    }
}
