package io.thinkloop.codec;

/**
 * The two regular expressions of the reference parser, as exact hand-written matchers:
 * {@code ^\s*name="(.*?)">\n$} for an invoke tag and {@code ^ name="(.*?)" string="(true|false)">(.*?)<$}
 * for a parameter (both DOTALL, where {@code $} also matches before one final newline and {@code \s} is
 * Python's Unicode whitespace).
 */
final class DsmlSyntax {
    static final String NAME_OPEN = "name=\"";
    static final String PARAM_OPEN = " name=\"";
    static final String STRING_TRUE = "\" string=\"true\">";
    static final String STRING_FALSE = "\" string=\"false\">";

    private DsmlSyntax() {}

    /** The tool name in the text between {@code <｜DSML｜invoke} and the next tag, or null if it does not match. */
    static String invokeName(String content) {
        int i = 0;
        while (i < content.length() && Dsv32Tokens.isPySpace(content.charAt(i))) {
            i++;
        }
        if (!content.startsWith(NAME_OPEN, i)) {
            return null;
        }
        int start = i + NAME_OPEN.length();
        int end = nameEnd(content, start);
        return end < 0 ? null : content.substring(start, end);
    }

    /** Where the name ends: before a final {@code ">\n"} or {@code ">\n\n"}; -1 if neither. */
    static int nameEnd(CharSequence content, int start) {
        int len = content.length();
        if (len - start >= 3 && endsWith(content, "\">\n")) {
            return len - 3;
        }
        if (len - start >= 4 && endsWith(content, "\">\n\n")) {
            return len - 4;
        }
        return -1;
    }

    static boolean endsWith(CharSequence s, String suffix) {
        int off = s.length() - suffix.length();
        if (off < 0) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (s.charAt(off + i) != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    record Param(String name, boolean isString, String value) {}

    /** The parameter in the text between {@code <｜DSML｜parameter} and {@code /｜DSML｜parameter}, or null. */
    static Param param(String content) {
        if (!content.startsWith(PARAM_OPEN)) {
            return null;
        }
        int lt = valueEnd(content);
        if (lt < 0) {
            return null;
        }
        int t = content.indexOf(STRING_TRUE, PARAM_OPEN.length());
        int f = content.indexOf(STRING_FALSE, PARAM_OPEN.length());
        boolean isString;
        int at;
        if (t >= 0 && (f < 0 || t < f)) {
            isString = true;
            at = t;
        } else if (f >= 0) {
            isString = false;
            at = f;
        } else {
            return null;
        }
        int valueStart = at + (isString ? STRING_TRUE.length() : STRING_FALSE.length());
        if (valueStart > lt) {
            return null;
        }
        return new Param(content.substring(PARAM_OPEN.length(), at), isString, content.substring(valueStart, lt));
    }

    /** Where a parameter value ends: before a final {@code <} or {@code <\n}; -1 if neither. */
    static int valueEnd(CharSequence content) {
        int len = content.length();
        if (len >= 1 && content.charAt(len - 1) == '<') {
            return len - 1;
        }
        if (len >= 2 && content.charAt(len - 2) == '<' && content.charAt(len - 1) == '\n') {
            return len - 2;
        }
        return -1;
    }
}
