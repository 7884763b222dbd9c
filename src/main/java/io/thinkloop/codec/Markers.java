package io.thinkloop.codec;

import io.thinkloop.model.Repair;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of literal markers searched for together by the streaming parser. Lenient mode lists each format
 * marker several times (with other bar characters, without the DSML token, without the blank line), each
 * variant carrying the repairs that accepting it implies.
 */
final class Markers {

    enum Kind {
        THINK_END,
        THINK_START,
        TOOLS_START,
        EOS,
        FORBIDDEN,
        INVOKE_START,
        TOOLS_END,
        PARAM_START,
        INVOKE_END,
        PARAM_STOP,
        STRING_TRUE,
        STRING_FALSE,
        GT
    }

    record Marker(String text, Kind kind, List<Repair> repairs) {}

    final Marker[] markers;
    /** Markers grouped by first character; {@code firstChars[i]} starts the markers in {@code groups[i]}. */
    private final char[] firstChars;

    private final Marker[][] groups;
    /** Per group: the second characters of its markers, or null if a one-character marker is in it. */
    private final String[] secondChars;
    /** Bit set over all chars: which ones start a marker (the scan skips every other character). */
    private final long[] firstBits = new long[1024];

    private Markers(List<Marker> list) {
        this.markers = list.toArray(Marker[]::new);
        StringBuilder firsts = new StringBuilder();
        for (Marker m : markers) {
            char c = m.text.charAt(0);
            if (firsts.indexOf(String.valueOf(c)) < 0) {
                firsts.append(c);
            }
            firstBits[c >>> 6] |= 1L << c;
        }
        firstChars = firsts.toString().toCharArray();
        groups = new Marker[firstChars.length][];
        secondChars = new String[firstChars.length];
        for (int i = 0; i < firstChars.length; i++) {
            char c = firstChars[i];
            groups[i] = list.stream().filter(m -> m.text.charAt(0) == c).toArray(Marker[]::new);
            StringBuilder seconds = new StringBuilder();
            for (Marker m : groups[i]) {
                if (m.text.length() == 1) {
                    seconds = null;
                    break;
                }
                seconds.append(m.text.charAt(1));
            }
            secondChars[i] = seconds == null ? null : seconds.toString();
        }
    }

    /** Result of {@link #scan}: a decided match, or how far the text is safe to pass on. */
    static final class Hit {
        Marker marker;
        int pos;
        int safeEnd;
    }

    /**
     * Finds the earliest marker in {@code s[from, s.length())}. A marker is decided only when no marker
     * could still start earlier (a suffix of the text that is a proper prefix of a marker is held back).
     * Sets {@code hit.marker}/{@code hit.pos} for a decided match; otherwise {@code hit.marker} is null and
     * {@code hit.safeEnd} is where the held-back suffix begins. Cost: linear in the scanned text.
     */
    void scan(CharSequence s, int from, Hit hit) {
        int len = s.length();
        hit.marker = null;
        for (int i = from; i < len; i++) {
            char c = s.charAt(i);
            if ((firstBits[c >>> 6] & (1L << c)) == 0) {
                continue;
            }
            int g = groupIndex(c);
            String seconds = secondChars[g];
            if (seconds != null && i + 1 < len && seconds.indexOf(s.charAt(i + 1)) < 0) {
                continue; // fast reject: no marker continues with the next character
            }
            Marker[] group = groups[g];
            Marker best = null;
            boolean partial = false;
            for (Marker m : group) {
                String t = m.text;
                int k = Math.min(t.length(), len - i);
                if (regionMatches(s, i, t, k)) {
                    if (k == t.length()) {
                        if (best == null || t.length() > best.text.length()) {
                            best = m;
                        }
                    } else {
                        partial = true;
                    }
                }
            }
            if (best != null) {
                hit.marker = best;
                hit.pos = i;
                hit.safeEnd = i;
                return;
            }
            if (partial) {
                hit.safeEnd = i;
                return;
            }
        }
        hit.safeEnd = len;
    }

    private int groupIndex(char c) {
        for (int i = 0; i < firstChars.length; i++) {
            if (firstChars[i] == c) {
                return i;
            }
        }
        throw new IllegalStateException("no marker starts with " + c);
    }

    private static boolean regionMatches(CharSequence s, int at, String t, int k) {
        for (int j = 0; j < k; j++) {
            if (s.charAt(at + j) != t.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ the marker sets

    static final String CANONICAL_DSML = Dsv32Tokens.DSML;
    /** What lenient mode accepts in place of {@code ｜DSML｜}: other bar characters, or nothing. */
    static final String[] DSML_VARIANTS = {CANONICAL_DSML, "|DSML|", "‖DSML‖", "∣DSML∣", "│DSML│", "¦DSML¦", ""};

    static final class Builder {
        private final List<Marker> list = new ArrayList<>();

        Builder add(String text, Kind kind, Repair... repairs) {
            list.add(new Marker(text, kind, List.of(repairs)));
            return this;
        }

        /** {@code before + D + after} for D = the DSML token, and in lenient mode each variant of it. */
        Builder dsml(String before, String after, Kind kind, boolean lenient, Repair... extra) {
            for (String d : lenient ? DSML_VARIANTS : new String[] {CANONICAL_DSML}) {
                List<Repair> rs = new ArrayList<>(List.of(extra));
                if (!d.equals(CANONICAL_DSML)) {
                    rs.add(new Repair(
                            "dsml_marker",
                            d.isEmpty()
                                    ? "'" + before + after + "' written without the " + CANONICAL_DSML + " token"
                                    : "'" + before + d + after + "' written with " + d + " for " + CANONICAL_DSML));
                }
                list.add(new Marker(before + d + after, kind, List.copyOf(rs)));
            }
            return this;
        }

        Markers build() {
            return new Markers(list);
        }
    }

    static Markers reasoning(boolean lenient) {
        Builder b = new Builder().add(Dsv32Tokens.THINK_END, Kind.THINK_END);
        if (!lenient) {
            b.add(Dsv32Tokens.TOOL_CALLS_START, Kind.TOOLS_START);
            for (String f :
                    new String[] {Dsv32Tokens.BOS, Dsv32Tokens.EOS, Dsv32Tokens.THINK_START, Dsv32Tokens.DSML}) {
                b.add(f, Kind.FORBIDDEN);
            }
            return b.build();
        }
        toolStarts(b);
        return b.add(Dsv32Tokens.EOS, Kind.EOS)
                .add(Dsv32Tokens.THINK_START, Kind.THINK_START)
                .build();
    }

    static Markers content(boolean lenient) {
        Builder b = new Builder().add(Dsv32Tokens.EOS, Kind.EOS);
        if (!lenient) {
            b.add(Dsv32Tokens.TOOL_CALLS_START, Kind.TOOLS_START);
            for (String f :
                    new String[] {Dsv32Tokens.BOS, Dsv32Tokens.THINK_START, Dsv32Tokens.THINK_END, Dsv32Tokens.DSML}) {
                b.add(f, Kind.FORBIDDEN);
            }
            return b.build();
        }
        toolStarts(b);
        return b.build();
    }

    private static void toolStarts(Builder b) {
        b.dsml("\n\n<", "function_calls", Kind.TOOLS_START, true);
        Repair oneNewline =
                new Repair("no_blank_line", "function_calls block preceded by one newline, not a blank line");
        Repair noNewline = new Repair("no_blank_line", "function_calls block not preceded by a blank line");
        b.dsml("\n<", "function_calls", Kind.TOOLS_START, true, oneNewline);
        b.dsml("<", "function_calls", Kind.TOOLS_START, true, noNewline);
    }

    /** Between calls: the next invoke or the end of the block. */
    static Markers betweenCalls(boolean lenient) {
        return new Builder()
                .dsml("<", "invoke", Kind.INVOKE_START, lenient)
                .dsml("</", "function_calls>", Kind.TOOLS_END, lenient)
                .build();
    }

    /** After an invoke tag or a parameter: the next parameter or the end of the invoke. */
    static Markers inInvoke(boolean lenient) {
        return new Builder()
                .dsml("<", "parameter", Kind.PARAM_START, lenient)
                .dsml("</", "invoke", Kind.INVOKE_END, lenient)
                .build();
    }

    static Markers paramStop(boolean lenient) {
        return new Builder().dsml("/", "parameter", Kind.PARAM_STOP, lenient).build();
    }

    /** Strict parameter header: the first string attribute ends the name (the reference's lazy match). */
    static Markers strictParamHeader() {
        return new Builder()
                .add(DsmlSyntax.STRING_TRUE, Kind.STRING_TRUE)
                .add(DsmlSyntax.STRING_FALSE, Kind.STRING_FALSE)
                .dsml("/", "parameter", Kind.PARAM_STOP, false)
                .build();
    }

    /** Lenient parameter header: it ends at a {@code >} that completes a well-formed tag. */
    static Markers lenientParamHeader() {
        return new Builder()
                .add(">", Kind.GT)
                .dsml("/", "parameter", Kind.PARAM_STOP, true)
                .build();
    }

    static Markers afterCalls() {
        return new Builder().add(Dsv32Tokens.EOS, Kind.EOS).build();
    }
}
