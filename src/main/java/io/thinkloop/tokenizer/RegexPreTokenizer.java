package io.thinkloop.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The general pre-tokenizer: a sequence of regex splits, each applied to every piece the previous one
 * left (a piece is its own string to the next regex: lookaheads stop at its end). The byte-level
 * mapping that follows is done by {@link BpeModel} on the fly from UTF-8.
 *
 * <p>The Rust library runs these regexes with Oniguruma; {@link java.util.regex} gives the same
 * matches when {@code \s}/{@code \S} mean Unicode White_Space, hence {@link Pattern#UNICODE_CHARACTER_CLASS}
 * (Oniguruma's {@code \s} is 9-D, 85 and the Zs/Zl/Zp categories: the same set). {@code \p{L}},
 * {@code \p{N}}, {@code \p{P}}, {@code \p{S}} and {@code \p{M}} are general categories in both;
 * the only differences come from Unicode versions (the JDK's may be newer than Oniguruma's).
 */
final class RegexPreTokenizer implements PreTokenizer {
    /** What a split does with the text its regex matched; only the behaviours in use are supported. */
    enum Behavior {
        ISOLATED,
        REMOVED
    }

    record Split(Pattern pattern, Behavior behavior) {}

    private final List<Split> splits;

    RegexPreTokenizer(List<Split> splits) {
        this.splits = List.copyOf(splits);
    }

    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    List<Split> splits() {
        return splits;
    }

    @Override
    public void split(String text, int from, int to, Sink sink) {
        Matcher[] matchers = new Matcher[splits.size()];
        for (int i = 0; i < matchers.length; i++) {
            matchers[i] = splits.get(i).pattern().matcher(text);
        }
        split(0, from, to, matchers, sink);
    }

    private void split(int level, int from, int to, Matcher[] matchers, Sink sink) {
        if (level == matchers.length) {
            sink.word(from, to);
            return;
        }
        Matcher m = matchers[level];
        boolean isolate = splits.get(level).behavior() == Behavior.ISOLATED;
        // Collect this level's boundaries first: the next level reuses its own matcher, not this one.
        int[] bounds = new int[16];
        int count = 0;
        m.region(from, to);
        int prev = from;
        while (m.find()) {
            int s = m.start();
            int e = m.end();
            if (s == e) {
                continue; // an empty match splits nothing (the Rust library drops empty pieces)
            }
            if (count + 4 > bounds.length) {
                bounds = Arrays.copyOf(bounds, bounds.length * 2);
            }
            if (prev < s) {
                bounds[count++] = prev;
                bounds[count++] = s;
            }
            if (isolate) {
                bounds[count++] = s;
                bounds[count++] = e;
            }
            prev = e;
        }
        if (prev < to) {
            if (count + 2 > bounds.length) {
                bounds = Arrays.copyOf(bounds, bounds.length + 2);
            }
            bounds[count++] = prev;
            bounds[count++] = to;
        }
        for (int i = 0; i < count; i += 2) {
            split(level + 1, bounds[i], bounds[i + 1], matchers, sink);
        }
    }
}
