package io.thinkloop.tokenizer;

import java.util.List;

/**
 * DeepSeek-V3's pre-tokenizer written out by hand: the same words as its three regex splits, several
 * times faster than running them through {@link java.util.regex}. Chosen only when tokenizer.json
 * holds exactly these regexes (each split Isolated):
 * <ol>
 *   <li>{@code \p{N}{1,3}}: digit runs, cut every three code points;</li>
 *   <li>{@code [一-龥぀-ゟ゠-ヿ]+}: runs of CJK ideographs U+4E00..U+9FA5, hiragana and katakana;</li>
 *   <li>the word regex, whose alternatives, tried in order at each position, are:
 *     <ol type="a">
 *       <li>{@code [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+}: one ASCII punctuation then ASCII letters;</li>
 *       <li>{@code [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+}: a letter/mark run, maybe after one other character;</li>
 *       <li>{@code  ?[\p{P}\p{S}]+[\r\n]*}: a punctuation/symbol run, maybe after a space, with trailing CR/LF;</li>
 *       <li>{@code \s*[\r\n]+}: whitespace up to and including its last CR/LF;</li>
 *       <li>{@code \s+(?!\S)}: whitespace, leaving the last one for the next word when one follows;</li>
 *       <li>{@code \s+}: whitespace;</li>
 *     </ol>
 *   characters where none matches join the text between matches.</li>
 * </ol>
 * Classes are those of {@link RegexPreTokenizer}: JDK general categories and Unicode White_Space.
 */
final class DeepSeekPreTokenizer implements PreTokenizer {
    static final String DIGITS = "\\p{N}{1,3}";
    static final String CJK = "[一-龥぀-ゟ゠-ヿ]+";
    static final String WORDS =
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+|"
                    + " ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";

    private static final int L = 1;
    private static final int M = 1 << 1;
    private static final int N = 1 << 2;
    private static final int P = 1 << 3;
    private static final int S = 1 << 4;
    private static final int WS = 1 << 5;
    private static final int CRLF = 1 << 6;
    private static final int CJK_RANGE = 1 << 7;
    private static final int ASCII_PUNCT = 1 << 8;
    private static final int ASCII_ALPHA = 1 << 9;
    private static final int LM = L | M;
    private static final int PS = P | S;

    /** Flags of every BMP code point; supplementary ones are classified on the fly. */
    private static final short[] BMP = new short[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP[c] = (short) compute(c);
        }
    }

    /** Whether a regex pre-tokenizer is exactly the one this class reproduces. */
    static boolean matches(List<RegexPreTokenizer.Split> splits) {
        if (splits.size() != 3) {
            return false;
        }
        String[] expected = {DIGITS, CJK, WORDS};
        for (int i = 0; i < 3; i++) {
            RegexPreTokenizer.Split s = splits.get(i);
            if (s.behavior() != RegexPreTokenizer.Behavior.ISOLATED
                    || !s.pattern().pattern().equals(expected[i])) {
                return false;
            }
        }
        return true;
    }

    private static int compute(int cp) {
        int flags = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER,
                    Character.LOWERCASE_LETTER,
                    Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER -> L;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> M;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> N;
            case Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> P;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL ->
                S;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> WS;
            default -> 0;
        };
        // White_Space: the separators above plus TAB..CR and NEL, as both \s flavours define it.
        if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) {
            flags |= WS;
        }
        if (cp == '\r' || cp == '\n') {
            flags |= CRLF;
        }
        if ((cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x3040 && cp <= 0x30FF)) {
            flags |= CJK_RANGE;
        }
        if (cp < 0x80 && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(cp) >= 0) {
            flags |= ASCII_PUNCT;
        }
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
            flags |= ASCII_ALPHA;
        }
        return flags;
    }

    private static int flagsAt(String s, int i) {
        char c = s.charAt(i);
        if (!Character.isSurrogate(c)) {
            return BMP[c];
        }
        return compute(s.codePointAt(i));
    }

    /** UTF-16 length of the code point at i (a lone surrogate counts as one). */
    private static int width(String s, int i, int to) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))
                ? 2
                : 1;
    }

    @Override
    public void split(String s, int from, int to, Sink sink) {
        // Split 1: digit runs, three code points at a time; everything between goes on to split 2.
        int gap = from;
        int i = from;
        while (i < to) {
            if ((flagsAt(s, i) & N) == 0) {
                i += width(s, i, to);
                continue;
            }
            if (gap < i) {
                cjk(s, gap, i, sink);
            }
            int start = i;
            for (int n = 0; n < 3 && i < to && (flagsAt(s, i) & N) != 0; n++) {
                i += width(s, i, to);
            }
            // A digits-only piece passes splits 2 and 3 whole: no alternative of the word regex can match in it.
            sink.word(start, i);
            gap = i;
        }
        if (gap < to) {
            cjk(s, gap, to, sink);
        }
    }

    /** Split 2: CJK runs are pieces of their own; each piece then goes through the word regex. */
    private static void cjk(String s, int from, int to, Sink sink) {
        int gap = from;
        int i = from;
        while (i < to) {
            if ((BMP[s.charAt(i)] & CJK_RANGE) == 0 || Character.isSurrogate(s.charAt(i))) {
                i++;
                continue;
            }
            if (gap < i) {
                words(s, gap, i, sink);
            }
            int start = i;
            while (i < to && (BMP[s.charAt(i)] & CJK_RANGE) != 0) {
                i++;
            }
            words(s, start, i, sink);
            gap = i;
        }
        if (gap < to) {
            words(s, gap, to, sink);
        }
    }

    /** Split 3: the word regex; characters no alternative matches gather into the pieces between matches. */
    private static void words(String s, int from, int to, Sink sink) {
        int gap = from;
        int i = from;
        while (i < to) {
            int end = matchAt(s, i, to);
            if (end < 0) {
                i += width(s, i, to);
                continue;
            }
            if (gap < i) {
                sink.word(gap, i);
            }
            sink.word(i, end);
            i = end;
            gap = end;
        }
        if (gap < to) {
            sink.word(gap, to);
        }
    }

    /** Where the word regex's match starting at i ends, or -1 when it has none there. */
    private static int matchAt(String s, int i, int to) {
        int f = flagsAt(s, i);
        int w = width(s, i, to);
        int next = i + w;
        int nf = next < to ? flagsAt(s, next) : 0;
        // a) ASCII punctuation + ASCII letters.
        if ((f & ASCII_PUNCT) != 0 && (nf & ASCII_ALPHA) != 0) {
            int j = next;
            while (j < to && (s.charAt(j) < 0x80) && (BMP[s.charAt(j)] & ASCII_ALPHA) != 0) {
                j++;
            }
            return j;
        }
        // b) Letters and marks, maybe after one character that is none of CR, LF, letter, punctuation, symbol.
        if ((f & LM) != 0) {
            return run(s, next, to, LM);
        }
        if ((f & (CRLF | L | P | S)) == 0 && (nf & LM) != 0) {
            return run(s, next, to, LM);
        }
        // c) Punctuation and symbols, maybe after a space, then any CR/LF.
        if ((f & PS) != 0) {
            return run(s, run(s, next, to, PS), to, CRLF);
        }
        if (s.charAt(i) == ' ' && (nf & PS) != 0) {
            return run(s, run(s, next, to, PS), to, CRLF);
        }
        if ((f & WS) == 0) {
            return -1;
        }
        // d) Whitespace through its last CR/LF.
        int wsEnd = i;
        int lastLineBreak = -1;
        while (wsEnd < to) {
            int g = flagsAt(s, wsEnd);
            if ((g & WS) == 0) {
                break;
            }
            if ((g & CRLF) != 0) {
                lastLineBreak = wsEnd;
            }
            wsEnd += width(s, wsEnd, to);
        }
        if (lastLineBreak >= 0) {
            return lastLineBreak + 1;
        }
        // e) Whitespace not followed by a non-space: all of it at the end, else all but the last.
        if (wsEnd == to) {
            return wsEnd;
        }
        int lastStart = wsEnd - 1; // whitespace is all BMP, one char each
        if (lastStart > i) {
            return lastStart;
        }
        // f) A single whitespace character before a non-space.
        return wsEnd;
    }

    /** The end of the run of code points from i whose flags intersect {@code mask}. */
    private static int run(String s, int i, int to, int mask) {
        while (i < to && (flagsAt(s, i) & mask) != 0) {
            i += width(s, i, to);
        }
        return i;
    }
}
