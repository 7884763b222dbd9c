package io.thinkloop.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's byte-level alphabet: every byte is shown as one printable code point, so that BPE tokens
 * are strings. Printable Latin-1 bytes stand for themselves; the other 68 bytes map to U+0100 onwards.
 */
final class ByteLevel {
    /** The code point standing for each byte. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The byte each alphabet code point stands for, or -1; indexed by code point (all below 0x200). */
    private static final short[] CHAR_TO_BYTE = new short[0x200];

    static {
        Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {}

    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a code point stands for, or -1 when it is outside the alphabet. */
    static int byteOf(int codePoint) {
        return codePoint >= 0 && codePoint < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[codePoint] : -1;
    }

    /**
     * The bytes a token string decodes to, the way the Hugging Face ByteLevel decoder does it: when
     * every character is in the alphabet, the bytes they stand for; otherwise (added tokens such as
     * {@code <｜User｜>}) the token's own UTF-8.
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
