package io.thinkloop.codec;

/** The literal special tokens and markers of the DeepSeek-V3.2 format. */
final class Dsv32Tokens {
    static final String BOS = "<｜begin▁of▁sentence｜>";
    static final String EOS = "<｜end▁of▁sentence｜>";
    static final String THINK_START = "<think>";
    static final String THINK_END = "</think>";
    static final String DSML = "｜DSML｜";
    static final String USER = "<｜User｜>";
    static final String ASSISTANT = "<｜Assistant｜>";

    static final String TOOL_CALLS_START = "\n\n<" + DSML + "function_calls";
    static final String TOOL_CALLS_END = "</" + DSML + "function_calls>";
    static final String INVOKE_START = "<" + DSML + "invoke";
    static final String INVOKE_END = "</" + DSML + "invoke";
    static final String PARAM_START = "<" + DSML + "parameter";
    static final String PARAM_STOP = "/" + DSML + "parameter";

    /** Tokens that may not appear inside reasoning or content. */
    static final String[] FORBIDDEN_IN_TEXT = {BOS, EOS, THINK_START, THINK_END, DSML};

    private Dsv32Tokens() {}

    /** Python's {@code str.isspace()} (what {@code \s} matches in the reference's regular expressions). */
    static boolean isPySpace(char c) {
        return switch (c) {
            case '\t',
                    '\n',
                    0x0b,
                    0x0c,
                    '\r',
                    0x1c,
                    0x1d,
                    0x1e,
                    0x1f,
                    ' ',
                    0x85,
                    0xa0,
                    0x1680,
                    0x2028,
                    0x2029,
                    0x202f,
                    0x205f,
                    0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200a;
        };
    }
}
