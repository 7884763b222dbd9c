package io.thinkloop.engine.sampling;

import java.util.List;

/**
 * Watches generated text for stop sequences. A stop may arrive split over several tokens, so text
 * that could be the start of a stop is held back until it either completes the stop (it and
 * everything after it are dropped) or cannot any more (then it is released). The text released over
 * a whole generation is exactly the generated text up to the first stop, with no stop text in it.
 * Not thread-safe: one per generated sequence.
 */
public final class StopMatcher {
    private final String[] stops;
    private final StringBuilder held = new StringBuilder();
    private String matched;

    public StopMatcher(List<String> stops) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop sequences must be non-empty");
            }
        }
        this.stops = stops.toArray(String[]::new);
    }

    /**
     * Takes the next piece of generated text and returns what can be shown now. Once a stop has
     * matched ({@link #stopped()}), the text before it is returned and further input is ignored.
     */
    public String feed(String text) {
        if (matched != null) {
            return "";
        }
        if (stops.length == 0) {
            return text;
        }
        held.append(text);
        int best = -1;
        String bestStop = null;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            // The earliest stop wins; at the same place, the longer one.
            if (at >= 0 && (best < 0 || at < best || (at == best && stop.length() > bestStop.length()))) {
                best = at;
                bestStop = stop;
            }
        }
        if (best >= 0) {
            matched = bestStop;
            String out = held.substring(0, best);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The length of the longest end of the held text that is a proper prefix of some stop. */
    private int longestSuffixThatStartsAStop() {
        int n = held.length();
        int best = 0;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, n); len > best; len--) {
                if (regionEquals(held, n - len, stop, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private static boolean regionEquals(CharSequence a, int from, String b, int len) {
        for (int i = 0; i < len; i++) {
            if (a.charAt(from + i) != b.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a stop sequence has matched. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop sequence that matched, or null. */
    public String matchedStop() {
        return matched;
    }

    /** At the end of generation (no stop matched): the text still held back, which was not a stop after all. */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
