package io.thinkloop.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void stopSpanningTokensIsCaughtAndNeverShown() {
        StopMatcher m = new StopMatcher(List.of("</answer>"));
        assertEquals("The result is 4", m.feed("The result is 4"));
        assertEquals("", m.feed("</"));
        assertEquals("", m.feed("ans"));
        assertFalse(m.stopped());
        assertEquals("", m.feed("wer> trailing"));
        assertTrue(m.stopped());
        assertEquals("</answer>", m.matchedStop());
        assertEquals("", m.feed("more"));
    }

    @Test
    void heldPrefixIsReleasedWhenItStopsMatching() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("a ", m.feed("a ST"));
        assertEquals("STa", m.feed("a"));
        assertEquals("b", m.feed("bS"));
        assertEquals("S", m.flush());
        assertFalse(m.stopped());
    }

    @Test
    void earliestStopWinsAndTextBeforeItIsKept() {
        StopMatcher m = new StopMatcher(List.of("world", "lo w", "xyz"));
        assertEquals("hel", m.feed("hello world"));
        assertEquals("lo w", m.matchedStop());
        StopMatcher overlap = new StopMatcher(List.of("ab", "abc"));
        assertEquals("x", overlap.feed("xabc"));
        assertEquals("abc", overlap.matchedStop()); // same start: the longer one
        StopMatcher atStart = new StopMatcher(List.of("\n\n"));
        assertEquals("", atStart.feed("\n"));
        assertEquals("", atStart.feed("\nrest"));
        assertTrue(atStart.stopped());
    }

    @Test
    void overlappingPrefixesAreHeldCorrectly() {
        // "aab" after "aaa...": the held text must keep the longest possible start of the stop.
        StopMatcher m = new StopMatcher(List.of("aab"));
        StringBuilder out = new StringBuilder();
        out.append(m.feed("xa"));
        out.append(m.feed("a"));
        out.append(m.feed("a"));
        out.append(m.feed("b!"));
        assertTrue(m.stopped());
        assertEquals("xa", out.toString());
    }

    @Test
    void randomSplitsGiveTheSameResultAsWholeText() {
        SplittableRandom r = new SplittableRandom(3);
        List<String> stops = List.of("<|end|>", "\n\nUser:", "</think>", "ab");
        String alphabet = "ab<|end>\nUser:/thik ";
        for (int trial = 0; trial < 5000; trial++) {
            StringBuilder text = new StringBuilder();
            int len = r.nextInt(40);
            for (int i = 0; i < len; i++) {
                text.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String whole = text.toString();
            int cut = Integer.MAX_VALUE;
            for (String s : stops) {
                int at = whole.indexOf(s);
                if (at >= 0) {
                    cut = Math.min(cut, at);
                }
            }
            String expected = cut == Integer.MAX_VALUE ? whole : whole.substring(0, cut);
            StopMatcher m = new StopMatcher(stops);
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < whole.length() && !m.stopped()) {
                int piece = 1 + r.nextInt(4);
                out.append(m.feed(whole.substring(i, Math.min(whole.length(), i + piece))));
                i += piece;
            }
            if (!m.stopped()) {
                out.append(m.flush());
            }
            assertEquals(expected, out.toString(), "text " + whole);
            assertEquals(cut != Integer.MAX_VALUE, m.stopped());
        }
    }

    @Test
    void noStopsPassesThroughAndEmptyStopsAreRefused() {
        StopMatcher none = new StopMatcher(List.of());
        assertEquals("abc", none.feed("abc"));
        assertNull(none.matchedStop());
        assertThrows(IllegalArgumentException.class, () -> new StopMatcher(List.of("")));
    }
}
