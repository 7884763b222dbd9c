package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events come as soon as they are decided: text passes at once, only a possible marker start waits. */
class StreamingParserTest {

    @Test
    void textPassesAtOnceAndOnlyAPossibleMarkerWaits() {
        StreamingParser p = StreamingParser.strict(ThinkingMode.THINKING);
        assertEquals(List.of(new ParseEvent.ReasoningDelta("plan ")), p.feed("plan </thi"));
        assertEquals(List.of(), p.feed("nk"));
        assertEquals(List.of(new ParseEvent.TextDelta("Hi ")), p.feed("><b>".substring(0, 1) + "Hi <"));
        assertEquals(List.of(new ParseEvent.TextDelta("<b> x")), p.feed("b> x\n"));
        assertEquals(List.of(new ParseEvent.TextDelta("\ny")), p.feed("y<｜end▁of▁sent"));
        assertEquals(List.of(), p.feed("ence｜>"));
        assertEquals(List.of(new ParseEvent.End("stop")), p.finish());
    }

    @Test
    void toolCallEventsStreamArgumentsAsTheyArrive() {
        StreamingParser p = StreamingParser.strict(ThinkingMode.CHAT);
        List<ParseEvent> events = new ArrayList<>();
        events.addAll(
                p.feed("ok\n\n<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"search\">\n<｜DSML｜parameter name=\"q\" "
                        + "string=\"true\">caf"));
        assertEquals(
                List.of(
                        new ParseEvent.TextDelta("ok"),
                        new ParseEvent.ToolCallStarted(0, "search"),
                        new ParseEvent.ToolCallArgumentsDelta(0, "{\"q\": \"caf")),
                events);
        assertEquals(List.of(new ParseEvent.ToolCallArgumentsDelta(0, "é \\\"x\\\"")), p.feed("é \"x\"<"));
        events = new ArrayList<>(p.feed("/｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>"));
        assertEquals(
                List.of(
                        new ParseEvent.ToolCallArgumentsDelta(0, "\""),
                        new ParseEvent.ToolCallArgumentsDelta(0, "}"),
                        new ParseEvent.ToolCallCompleted(0, "search", "{\"q\": \"café \\\"x\\\"\"}")),
                events);
        assertEquals(List.of(new ParseEvent.End("tool_calls")), p.finish());
    }

    @Test
    void strictStreamingFailsAsSoonAsTheTextIsInvalid() {
        StreamingParser p = StreamingParser.strict(ThinkingMode.CHAT);
        p.feed("fine so far <thi");
        CodecException e = assertThrows(CodecException.class, () -> p.feed("nk> oops"));
        assertEquals(true, e.getMessage().contains("<think>"), e.getMessage());
        assertThrows(CodecException.class, p::finish, "a failed parser stays failed");
    }

    @Test
    void strictStreamRequiresTheEndOfSentence() {
        StreamingParser p = StreamingParser.strict(ThinkingMode.CHAT);
        p.feed("no end");
        assertThrows(CodecException.class, p::finish);
    }
}
