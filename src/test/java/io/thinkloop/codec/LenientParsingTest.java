package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.openai.GoldenCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lenient mode: each accepted deviation gives the canonical result and is reported as a repair. */
class LenientParsingTest {
    private static final String D = "｜DSML｜";
    private static final String EOS = "<｜end▁of▁sentence｜>";

    private static String calls(String d, String lead) {
        return lead + "<" + d + "function_calls>\n"
                + "<" + d + "invoke name=\"get_weather\">\n"
                + "<" + d + "parameter name=\"city\" string=\"true\">東京 \"center\"</" + d + "parameter>\n"
                + "<" + d + "parameter name=\"days\" string=\"false\">3</" + d + "parameter>\n"
                + "</" + d + "invoke>\n"
                + "<" + d + "invoke name=\"noop\">\n"
                + "</" + d + "invoke>\n"
                + "</" + d + "function_calls>";
    }

    private static final String CANONICAL = "think hard</think>Let me check." + calls(D, "\n\n") + EOS;
    private static final List<ToolCall> EXPECTED_CALLS = List.of(
            new ToolCall(null, "get_weather", "{\"city\": \"東京 \\\"center\\\"\", \"days\": 3}"),
            new ToolCall(null, "noop", "{}"));

    /** Parses in several chunkings (one char, whole, random) and checks they all agree; returns one assembly. */
    static EventAssembler lenient(String text, List<ToolSpec> tools) {
        EventAssembler first = null;
        Random rnd = new Random(text.hashCode());
        for (int k = 0; k < 20; k++) {
            List<Integer> cuts = StreamingParserPropertyTest.chunking(text, k, rnd);
            StreamingParser p = StreamingParser.lenient(ThinkingMode.THINKING, tools);
            EventAssembler a = new EventAssembler();
            int from = 0;
            for (int cut : cuts) {
                a.accept(p.feed(text.substring(from, cut)));
                from = cut;
            }
            a.accept(p.feed(text.substring(from)));
            a.accept(p.finish());
            if (first == null) {
                first = a;
            } else {
                assertEquals(first.message(), a.message(), "chunking " + cuts);
                assertEquals(first.repairs(), a.repairs(), "chunking " + cuts);
                assertEquals(first.end(), a.end(), "chunking " + cuts);
            }
        }
        return first;
    }

    private static boolean hasRepair(EventAssembler a, String kind) {
        return a.repairs().stream().anyMatch(r -> r.kind().equals(kind));
    }

    @Test
    void canonicalTextNeedsNoRepair() {
        EventAssembler a = lenient(CANONICAL, List.of());
        assertEquals(DeepSeekV32Codec.parse(CANONICAL, ThinkingMode.THINKING), a.message());
        assertEquals(EXPECTED_CALLS, a.message().toolCalls());
        assertEquals(List.of(), a.repairs());
        assertEquals("tool_calls", a.end().reason());
    }

    @Test
    void everyValidGoldenCompletionParsesTheSameLeniently() {
        int n = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("parse") || c.has("error")) {
                continue;
            }
            String text = c.path("input").path("text").asText();
            ThinkingMode mode =
                    GoldenCases.mode(c.path("input").path("thinking_mode").asText());
            StreamingParser p = StreamingParser.lenient(mode, List.of());
            EventAssembler a = new EventAssembler();
            for (int i = 0; i < text.length(); i += 3) {
                a.accept(p.feed(text.substring(i, Math.min(text.length(), i + 3))));
            }
            a.accept(p.finish());
            assertEquals(
                    DeepSeekV32Codec.parse(text, mode),
                    a.message(),
                    c.path("id").asText());
            n++;
        }
        assertEquals(199, n);
    }

    @Test
    void missingDsmlTokenIsRepaired() {
        String text = "think hard</think>Let me check." + calls("", "\n\n") + EOS;
        // strictly this is plain text that merely looks like tool calls
        assertEquals(
                List.of(), DeepSeekV32Codec.parse(text, ThinkingMode.THINKING).toolCalls());
        EventAssembler a = lenient(text, List.of());
        assertEquals("Let me check.", a.message().content());
        assertEquals(EXPECTED_CALLS, a.message().toolCalls());
        assertTrue(hasRepair(a, "dsml_marker"), a.repairs().toString());
    }

    @Test
    void otherBarCharactersAreRepaired() {
        for (String d : new String[] {"|DSML|", "‖DSML‖"}) {
            String text = "think hard</think>Let me check." + calls(d, "\n\n") + EOS;
            EventAssembler a = lenient(text, List.of());
            assertEquals(EXPECTED_CALLS, a.message().toolCalls(), d);
            assertEquals("Let me check.", a.message().content(), d);
            assertTrue(
                    a.repairs().stream()
                            .anyMatch(r ->
                                    r.kind().equals("dsml_marker") && r.detail().contains(d)),
                    a.repairs().toString());
        }
    }

    @Test
    void functionCallsWithoutBlankLineAreRepaired() {
        for (String lead : new String[] {"\n", ""}) {
            String text = "think hard</think>Let me check." + calls(D, lead) + EOS;
            assertThrows(CodecException.class, () -> DeepSeekV32Codec.parse(text, ThinkingMode.THINKING));
            EventAssembler a = lenient(text, List.of());
            assertEquals("Let me check.", a.message().content());
            assertEquals(EXPECTED_CALLS, a.message().toolCalls());
            assertTrue(hasRepair(a, "no_blank_line"), a.repairs().toString());
        }
    }

    @Test
    void missingFinalEndOfSentenceIsRepaired() {
        String text = "reasoning</think>The answer is 4.";
        assertThrows(CodecException.class, () -> DeepSeekV32Codec.parse(text, ThinkingMode.THINKING));
        EventAssembler a = lenient(text, List.of());
        assertEquals("The answer is 4.", a.message().content());
        assertEquals("reasoning", a.message().reasoningContent());
        assertEquals("length", a.end().reason());
        assertTrue(a.end().repairs().stream().anyMatch(r -> r.kind().equals("missing_eos")));
    }

    @Test
    void heldBackPrefixOfAMarkerIsReleasedAtEndOfStream() {
        EventAssembler a = lenient("r</think>ends with <｜end▁of", List.of());
        assertEquals("ends with <｜end▁of", a.message().content());
    }

    @Test
    void valuesAreCoercedByStringAttributeThenSchema() throws Exception {
        ToolSpec search = new ToolSpec("search", "", Json.MAPPER.readTree("""
                {"type": "object", "properties": {
                  "limit": {"type": "integer"}, "ratio": {"type": "number"}, "exact": {"type": "boolean"},
                  "query": {"type": "string"}, "tags": {"type": "array"}, "free": {}}}"""));
        String text = "r</think>\n\n<" + D + "function_calls>\n<" + D + "invoke name=\"search\">\n"
                + "<" + D + "parameter name=\"limit\" string=\"true\">42</" + D + "parameter>\n"
                + "<" + D + "parameter name=\"ratio\" string=\"false\">\"0.5\"</" + D + "parameter>\n"
                + "<" + D + "parameter name=\"exact\" string=\"true\">True</" + D + "parameter>\n"
                + "<" + D + "parameter name=\"query\" string=\"false\">123</" + D + "parameter>\n"
                + "<" + D + "parameter name=\"tags\" string=\"true\">[\"a\", \"b\"]</" + D + "parameter>\n"
                + "<" + D + "parameter name=\"free\" string=\"false\">not json</" + D + "parameter>\n"
                + "</" + D + "invoke>\n</" + D + "function_calls>" + EOS;
        EventAssembler a = lenient(text, List.of(search));
        assertEquals(
                "{\"limit\": 42, \"ratio\": 0.5, \"exact\": true, \"query\": \"123\", \"tags\": [\"a\", \"b\"], "
                        + "\"free\": \"not json\"}",
                a.message().toolCalls().get(0).arguments());
        long coerced = a.repairs().stream()
                .filter(r -> r.kind().equals("schema_coercion"))
                .count();
        assertEquals(5, coerced, a.repairs().toString());
        assertTrue(hasRepair(a, "invalid_json_value"));
        // strict keeps the reference's result: string values quoted, string="false" values verbatim
        assertEquals(
                "{\"limit\": \"42\", \"ratio\": \"0.5\", \"exact\": \"True\", \"query\": 123, \"tags\": \"[\\\"a\\\", "
                        + "\\\"b\\\"]\", \"free\": not json}",
                DeepSeekV32Codec.parse(text, ThinkingMode.THINKING)
                        .toolCalls()
                        .get(0)
                        .arguments());
    }

    @Test
    void valuesWithoutStringAttributeFollowTheSchema() throws Exception {
        ToolSpec t = new ToolSpec("t", "", Json.MAPPER.readTree("""
                {"type": "object", "properties": {"n": {"type": "number"}, "s": {"type": "string"}}}"""));
        String text = "r</think>\n\n<|DSML|function_calls>\n<|DSML|invoke name=\"t\">\n"
                + "<|DSML|parameter name=\"n\">7.25</|DSML|parameter>\n"
                + "<|DSML|parameter name=\"s\">7.25</|DSML|parameter>\n"
                + "</|DSML|invoke>\n</|DSML|function_calls>";
        EventAssembler a = lenient(text, List.of(t));
        assertEquals(
                "{\"n\": 7.25, \"s\": \"7.25\"}", a.message().toolCalls().get(0).arguments());
        assertTrue(hasRepair(a, "string_attribute"));
        assertEquals("tool_calls", a.end().reason());
    }

    @Test
    void repairsRideOnTheEventsTheyProduced() {
        String text = "r</think>ok" + calls("|DSML|", "\n") + EOS;
        StreamingParser p = StreamingParser.lenient(ThinkingMode.THINKING, List.of());
        List<ParseEvent> events = new ArrayList<>(p.feed(text));
        events.addAll(p.finish());
        ParseEvent.ToolCallStarted started = events.stream()
                .filter(ParseEvent.ToolCallStarted.class::isInstance)
                .map(ParseEvent.ToolCallStarted.class::cast)
                .findFirst()
                .orElseThrow();
        assertTrue(started.repairs().stream().anyMatch(r -> r.kind().equals("no_blank_line")), started.toString());
        assertTrue(started.repairs().stream().anyMatch(r -> r.kind().equals("dsml_marker")), started.toString());
    }

    @Test
    void strictStreamingRejectsWhatLenientRepairs() {
        String text = "r</think>ok" + calls("|DSML|", "\n\n") + EOS;
        StreamingParser p = StreamingParser.strict(ThinkingMode.THINKING);
        // with '|DSML|' strict sees plain content up to the end of sentence: same as batch
        EventAssembler a = new EventAssembler().accept(p.feed(text)).accept(p.finish());
        assertEquals(DeepSeekV32Codec.parse(text, ThinkingMode.THINKING), a.message());
        assertEquals(List.of(), a.message().toolCalls());
        String noBlank = "r</think>ok" + calls(D, "\n") + EOS;
        StreamingParser q = StreamingParser.strict(ThinkingMode.THINKING);
        assertThrows(CodecException.class, () -> {
            q.feed(noBlank);
            q.finish();
        });
    }
}
