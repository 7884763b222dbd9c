package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.GoldenCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The strict streaming parser, fed any chunking of a completion, reassembles to exactly the batch parse, and
 * fails exactly where the batch parse fails.
 */
class StreamingParserPropertyTest {
    private static final int CHUNKINGS_PER_CASE = 60;
    private static final String[] MARKERS = {
        Dsv32Tokens.DSML,
        Dsv32Tokens.THINK_END,
        Dsv32Tokens.THINK_START,
        Dsv32Tokens.EOS,
        Dsv32Tokens.BOS,
        Dsv32Tokens.TOOL_CALLS_START,
        Dsv32Tokens.TOOL_CALLS_END,
        Dsv32Tokens.INVOKE_START,
        Dsv32Tokens.INVOKE_END,
        Dsv32Tokens.PARAM_START,
        Dsv32Tokens.PARAM_STOP,
        DsmlSyntax.STRING_TRUE,
        DsmlSyntax.STRING_FALSE,
        "<\n",
        ">\n"
    };

    /** Outcome of a parse: the message, or that it was rejected. */
    private record Outcome(ParsedMessage message, boolean rejected) {
        static Outcome batch(String text, ThinkingMode mode) {
            try {
                return new Outcome(DeepSeekV32Codec.parse(text, mode), false);
            } catch (CodecException e) {
                return new Outcome(null, true);
            }
        }

        static Outcome streamed(String text, ThinkingMode mode, List<Integer> cuts) {
            StreamingParser p = StreamingParser.strict(mode);
            EventAssembler a = new EventAssembler();
            try {
                feedChunked(p, a, text, cuts);
            } catch (CodecException e) {
                return new Outcome(null, true);
            }
            return new Outcome(a.message(), false);
        }
    }

    @Test
    void everyGoldenParseCaseSurvivesRandomChunkings() {
        int cases = 0;
        int runs = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("parse")) {
                continue;
            }
            String text = c.path("input").path("text").asText();
            ThinkingMode mode =
                    GoldenCases.mode(c.path("input").path("thinking_mode").asText());
            Outcome batch = Outcome.batch(text, mode);
            assertEquals(c.has("error"), batch.rejected(), c.path("id").asText());
            Random rnd = new Random(c.path("id").asText().hashCode());
            for (int k = 0; k < CHUNKINGS_PER_CASE; k++) {
                List<Integer> cuts = chunking(text, k, rnd);
                Outcome streamed = Outcome.streamed(text, mode, cuts);
                if (!batch.equals(streamed)) {
                    fail(c.path("id").asText() + " chunking #" + k + " " + cuts + ": batch " + batch + " but streamed "
                            + streamed);
                }
                runs++;
            }
            cases++;
        }
        assertEquals(251, cases);
        assertTrue(runs >= 50 * 251);
    }

    /** Prefixes and one-character edits of golden completions: the streamed outcome still equals the batch one. */
    @Test
    void truncatedAndMutatedCompletionsAgreeWithBatch() {
        int rejected = 0;
        int accepted = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("parse")) {
                continue;
            }
            String text = c.path("input").path("text").asText();
            ThinkingMode mode =
                    GoldenCases.mode(c.path("input").path("thinking_mode").asText());
            Random rnd = new Random(~c.path("id").asText().hashCode());
            List<String> variants = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                variants.add(text.substring(0, rnd.nextInt(text.length() + 1)));
                int at = rnd.nextInt(text.length());
                variants.add(text.substring(0, at) + text.substring(at + 1));
                variants.add(text.substring(0, at) + "\n<>\"/".charAt(rnd.nextInt(5)) + text.substring(at));
            }
            for (String v : variants) {
                Outcome batch = Outcome.batch(v, mode);
                for (int k = 0; k < 6; k++) {
                    List<Integer> cuts = chunking(v, k, rnd);
                    Outcome streamed = Outcome.streamed(v, mode, cuts);
                    if (!batch.equals(streamed)) {
                        fail(c.path("id").asText() + " variant " + PyJson.quote(v) + " chunking " + cuts + ": batch "
                                + batch + " but streamed " + streamed);
                    }
                }
                if (batch.rejected()) {
                    rejected++;
                } else {
                    accepted++;
                }
            }
        }
        assertTrue(rejected > 100 && accepted > 100, "variants exercise both outcomes: " + accepted + "/" + rejected);
    }

    /** Feeds {@code text} cut at {@code cuts}, then finishes, collecting every event in {@code a}. */
    static void feedChunked(StreamingParser p, EventAssembler a, String text, List<Integer> cuts) {
        int from = 0;
        for (int cut : cuts) {
            a.accept(p.feed(text.substring(from, cut)));
            from = cut;
        }
        a.accept(p.feed(text.substring(from)));
        a.accept(p.finish());
    }

    /** Lenient outcome (message, repairs, end, or rejection) of one chunking. */
    private static String lenientOutcome(String text, ThinkingMode mode, List<Integer> cuts) {
        StreamingParser p = StreamingParser.lenient(mode, List.of());
        EventAssembler a = new EventAssembler();
        try {
            feedChunked(p, a, text, cuts);
        } catch (CodecException e) {
            return "rejected";
        }
        return a.message() + " " + a.repairs() + " " + a.end();
    }

    /** Lenient parsing is chunking-invariant too, on golden completions rewritten with lenient deviations. */
    @Test
    void lenientParsingIsChunkingInvariant() {
        String[][] rewrites = {
            {"", ""},
            {"｜DSML｜", "|DSML|"},
            {"｜DSML｜", "‖DSML‖"},
            {"｜DSML｜", ""},
            {"\n\n<｜DSML｜function_calls", "\n<｜DSML｜function_calls"},
            {"<｜end▁of▁sentence｜>", ""},
            {"string=\"true\"", "string=\"yes\""}
        };
        int repaired = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("parse")) {
                continue;
            }
            ThinkingMode mode =
                    GoldenCases.mode(c.path("input").path("thinking_mode").asText());
            Random rnd = new Random(c.path("id").asText().hashCode() * 31L);
            for (String[] rw : rewrites) {
                String text = rw[0].isEmpty()
                        ? c.path("input").path("text").asText()
                        : c.path("input").path("text").asText().replace(rw[0], rw[1]);
                String whole = lenientOutcome(text, mode, List.of());
                for (int k = 0; k < 8; k++) {
                    List<Integer> cuts = chunking(text, k, rnd);
                    assertEquals(
                            whole,
                            lenientOutcome(text, mode, cuts),
                            c.path("id").asText() + " " + PyJson.quote(text) + " chunking " + cuts);
                }
                if (!whole.equals("rejected") && !whole.contains(" [] ")) {
                    repaired++;
                }
            }
        }
        assertTrue(repaired > 300, "rewrites exercise repairs: " + repaired);
    }

    /**
     * Chunking #0 is one character at a time, #1 the whole text, #2 cuts inside every marker occurrence, the
     * rest random chunk sizes (small and large) plus random cuts inside markers.
     */
    static List<Integer> chunking(String text, int k, Random rnd) {
        TreeSet<Integer> cuts = new TreeSet<>();
        int n = text.length();
        if (k == 0) {
            for (int i = 1; i < n; i++) {
                cuts.add(i);
            }
        } else if (k == 1) {
            return List.of();
        } else {
            boolean allMarkers = k == 2;
            for (String m : MARKERS) {
                for (int at = text.indexOf(m); at >= 0; at = text.indexOf(m, at + 1)) {
                    if (m.length() > 1 && (allMarkers || rnd.nextInt(3) == 0)) {
                        cuts.add(at + 1 + rnd.nextInt(m.length() - 1));
                    }
                }
            }
            if (!allMarkers) {
                int max = 1 + rnd.nextInt(k % 3 == 0 ? 4 : 64);
                for (int i = rnd.nextInt(max) + 1; i < n; i += 1 + rnd.nextInt(max)) {
                    cuts.add(i);
                }
            }
        }
        cuts.removeIf(i -> i <= 0 || i >= n);
        return new ArrayList<>(cuts);
    }
}
